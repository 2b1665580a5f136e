"""Casework's event handlers: one transaction each, run by the consumer loop."""

from __future__ import annotations

from services.casework.db import Case
from services.casework.queues import case_for_complaint
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import CaseOpened, ComplaintTriaged, EventData
from shared.ids import new_id


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


async def open_case(message: Inbound[ComplaintTriaged], uow: UnitOfWork) -> None:
    """Handle `ComplaintTriaged`: open the complaint's case in its queue, emit `CaseOpened`."""
    triaged = message.data
    if await case_for_complaint(uow.session, triaged.complaint_id) is not None:
        return  # one case per complaint: a second triage of it opens nothing new
    case = _case(triaged)
    uow.session.add(case)
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


HANDLERS: dict[type[EventData], Handler] = {ComplaintTriaged: open_case}
