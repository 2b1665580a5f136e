"""Casework's event handlers, run by the consumer loop over what the batch's prefetch read.

ComplaintSubmitted (on `complaints`) and ComplaintTriaged (on `triage`) for one complaint
arrive in either order: the submission is kept (sealed) on its own, the case opens on the
triage decision exactly once, and the case page joins the two by complaint id.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from services.casework.batch import added, case_of_complaint, complaint_record
from services.casework.db import Case, ChildWords, ComplaintRecord
from services.casework.procedure import Actor, Tools, add_clock, move, record
from services.casework.scheduler import new_page
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import (
    CaseOpened,
    ComplaintSubmitted,
    ComplaintTriaged,
    ComplaintWithdrawn,
    EventData,
    InformationAdded,
    MessageFromChild,
)
from shared.ids import new_id

# The child withdraws through intake; casework records it as the child's own act.
CHILD = Actor("child (through intake)", frozenset({"caseworker"}))
EventHandler = Callable[[Inbound[Any], UnitOfWork], Awaitable[None]]


def _case(triaged: ComplaintTriaged) -> Case:
    return Case(
        case_id=new_id(),
        complaint_id=triaged.complaint_id,
        queue=triaged.queue,
        status="received",
        priority=triaged.priority,
        urgency=triaged.urgency,
        category=triaged.category,
        respond_by=triaged.respond_by,
        opened_at=utcnow(),
    )


def _identity(submitted: ComplaintSubmitted) -> str | None:
    parts = {
        "contact": submitted.contact.model_dump() if submitted.contact else None,
        "on_behalf": submitted.on_behalf.model_dump() if submitted.on_behalf else None,
    }
    return json.dumps(parts) if any(parts.values()) else None


class CaseworkHandlers:
    """The handlers, bound to the tools they need (cipher, clocks)."""

    def __init__(self, tools: Tools) -> None:
        self.tools = tools

    async def keep_submission(self, message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
        """Keep what the child said, sealed under the complaint's own key."""
        submitted = message.data
        if await complaint_record(uow, submitted.complaint_id) is not None:
            return
        seal, subject = self.tools.fields.seal, submitted.complaint_id
        narrative = await seal(uow.session, subject, "narrative", submitted.narrative)
        assert narrative is not None  # noqa: S101 - a narrative is required by the contract
        added(
            uow,
            ComplaintRecord(
                complaint_id=subject,
                submitted_at=submitted.submitted_at,
                channel=submitted.channel,
                language=submitted.language,
                age_band=submitted.age_band,
                submitted_by=submitted.submitted_by,
                anonymous=submitted.anonymous,
                region=submitted.region,
                narrative=narrative,
                identity=await seal(uow.session, subject, "identity", _identity(submitted)),
            ),
        )

    async def open_case(self, message: Inbound[ComplaintTriaged], uow: UnitOfWork) -> None:
        """Open the complaint's case in its queue (once), start its clock, emit CaseOpened."""
        triaged = message.data
        if await case_of_complaint(uow, triaged.complaint_id) is not None:
            return  # one case per complaint: a second triage of it opens nothing new
        case = _case(triaged)
        added(uow, case)
        add_clock(uow, case, "acknowledge", self.tools.clocks, case.opened_at)
        await record(uow, self.tools, case, "triage", "open", None, at=case.opened_at)
        uow.emit(
            CaseOpened(
                case_id=case.case_id,
                complaint_id=case.complaint_id,
                opened_at=case.opened_at,
                queue=case.queue,
                priority=case.priority,
                respond_by=case.respond_by,
            ),
            subject=str(case.complaint_id),
        )
        if case.priority == 1:
            uow.session.add(new_page(case, "new P1 case", case.opened_at))
        child = await complaint_record(uow, triaged.complaint_id)
        if child is not None and child.withdrawn_at is not None:
            await self._withdraw(uow, case, "the child withdrew before triage")

    async def add_information(self, message: Inbound[InformationAdded], uow: UnitOfWork) -> None:
        """Keep information the child added, sealed."""
        added = message.data
        await self._words(uow, added.complaint_id, "information", added.text, added.added_at)

    async def child_wrote(self, message: Inbound[MessageFromChild], uow: UnitOfWork) -> None:
        """Keep a message from the child, sealed."""
        sent = message.data
        if await uow.session.get(ChildWords, sent.message_id) is not None:
            return
        await self._words(
            uow, sent.complaint_id, "message", sent.body, sent.sent_at, sent.message_id
        )

    async def withdrawn(self, message: Inbound[ComplaintWithdrawn], uow: UnitOfWork) -> None:
        """The child withdrew: end the case (or mark the complaint, if no case is open yet)."""
        complaint_id = message.data.complaint_id
        child = await complaint_record(uow, complaint_id)
        if child is not None:
            child.withdrawn_at = message.data.withdrawn_at
            uow.session.add(child)
        case = await case_of_complaint(uow, complaint_id)
        if case is not None and case.status not in ("withdrawn", "closed", "inadmissible"):
            await self._withdraw(uow, case, message.data.reason or "the child withdrew")

    async def _withdraw(self, uow: UnitOfWork, case: Case, reason: str) -> None:
        await move(
            uow,
            self.tools,
            case,
            "withdraw",
            CHILD,
            reason=reason,
            expected_version=case.version,
            now=utcnow(),
        )

    async def _words(
        self,
        uow: UnitOfWork,
        complaint_id: Any,
        kind: str,
        text: str,
        at: Any,
        entry_id: Any = None,
    ) -> None:
        body = await self.tools.fields.seal(uow.session, complaint_id, kind, text)
        assert body is not None  # noqa: S101 - text is required by the contracts
        uow.session.add(
            ChildWords(
                entry_id=entry_id or new_id(),
                complaint_id=complaint_id,
                kind=kind,
                at=at,
                body=body,
            )
        )


Method = Callable[[CaseworkHandlers, Inbound[Any], UnitOfWork], Awaitable[None]]


def _with_tools(method: Method) -> Handler:
    """`method` of the handlers bound to this process's tools (`Service.state`)."""

    async def handle(message: Inbound[Any], uow: UnitOfWork) -> None:
        await method(CaseworkHandlers(uow.context.state), message, uow)

    return handle


HANDLERS: dict[type[EventData], Handler] = {
    ComplaintSubmitted: _with_tools(CaseworkHandlers.keep_submission),
    ComplaintTriaged: _with_tools(CaseworkHandlers.open_case),
    InformationAdded: _with_tools(CaseworkHandlers.add_information),
    MessageFromChild: _with_tools(CaseworkHandlers.child_wrote),
    ComplaintWithdrawn: _with_tools(CaseworkHandlers.withdrawn),
}
