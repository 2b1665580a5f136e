"""Casework's events, applied to intake's read model: where the case stands, in plain words
for the child, and the case worker's messages (sealed like everything about the child).

An event for a complaint intake does not hold is logged by id and dropped (see README).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from services.intake import store
from services.intake.db import ComplaintStatus, Message
from services.intake.model import CASE_OPENED, advances
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import CaseOpened
from shared.events.contracts.casework import CaseStepChanged, MessageToChild

log = logging.getLogger("heard.intake")


async def prefetch_case_events(
    messages: Sequence[Inbound[Any]], uow: UnitOfWork
) -> list[ComplaintStatus]:
    """Read the statuses and data keys of a batch's complaints in one query each.

    The statuses stay in the session's identity map, where each handler's own lookup finds
    them without a round trip; returning them keeps them there (the map holds them weakly).
    """
    ids = {m.data.complaint_id for m in messages}
    query = select(ComplaintStatus).where(col(ComplaintStatus.complaint_id).in_(ids))
    statuses = list((await uow.session.exec(query)).all())
    await uow.context.fields.preload(uow.session, ids)
    return statuses


async def _status_for(
    uow: UnitOfWork, complaint_id: uuid.UUID, case_id: uuid.UUID, what: str
) -> ComplaintStatus | None:
    status = await store.get_status(uow.session, complaint_id)
    if status is None:
        ids = {"complaint_id": str(complaint_id), "case_id": str(case_id)}
        log.warning("%s for a complaint intake does not hold", what, extra=ids)
    return status


async def record_case_opened(message: Inbound[CaseOpened], uow: UnitOfWork) -> None:
    """Handle `CaseOpened`: the child's status becomes "case opened", with the date."""
    event = message.data
    status = await _status_for(uow, event.complaint_id, event.case_id, "case opened")
    if status is None or not advances(status.status, CASE_OPENED):
        return
    status.status = CASE_OPENED
    status.case_id = event.case_id
    status.case_opened_at = event.opened_at
    status.updated_at = utcnow()
    uow.session.add(status)


async def record_step(message: Inbound[CaseStepChanged], uow: UnitOfWork) -> None:
    """A handler of `CaseStepChanged`: the status moves on (never back), with its explanation."""
    fields = uow.context.fields
    event = message.data
    status = await _status_for(uow, event.complaint_id, event.case_id, "step changed")
    if status is None or not advances(status.status, event.step):
        return
    status.status = event.step
    status.case_id = status.case_id or event.case_id
    status.explanation = await fields.seal(
        uow.session, event.complaint_id, "explanation", event.explanation
    )
    status.updated_at = utcnow()
    uow.session.add(status)


async def record_message(message: Inbound[MessageToChild], uow: UnitOfWork) -> None:
    """A handler of `MessageToChild`: the message joins the child's follow-up page."""
    fields = uow.context.fields
    event = message.data
    if await _status_for(uow, event.complaint_id, event.case_id, "message") is None:
        return
    if await uow.session.get(Message, event.message_id) is not None:
        return  # the same message relayed twice under a new event id
    body = await store.seal_text(uow.session, fields, event.complaint_id, "message", event.body)
    uow.session.add(
        Message(
            message_id=event.message_id,
            complaint_id=event.complaint_id,
            kind="to_child",
            sent_at=event.sent_at,
            body=body,
            asks_for_information=event.asks_for_information,
        )
    )
