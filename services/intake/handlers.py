"""Intake's handlers: one command from the web, one event from casework; one transaction each."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.intake.db import get_status, submission_rows
from services.intake.model import CASE_OPENED, SubmitComplaint, advances
from services.intake.receipts import ReceiptHasher, new_receipt_code
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import CaseOpened, ComplaintSubmitted, EventData
from shared.ids import new_id

log = logging.getLogger("heard.intake")


@dataclass(frozen=True)
class Acknowledgement:
    """What the submitter is told once their complaint is durably stored."""

    complaint_id: uuid.UUID
    receipt_code: str
    received_at: datetime


def _submitted_event(command: SubmitComplaint) -> ComplaintSubmitted:
    fields = command.model_dump()
    return ComplaintSubmitted(complaint_id=new_id(), submitted_at=utcnow(), **fields)


async def submit_complaint(
    command: SubmitComplaint, *, uow: UnitOfWork, receipts: ReceiptHasher
) -> Acknowledgement:
    """Store the complaint, its receipt and its status and emit `ComplaintSubmitted`, at once.

    Returns only after the commit: an acknowledged complaint is never lost.
    """
    event = _submitted_event(command)
    code = new_receipt_code()
    async with uow:
        uow.session.add_all(submission_rows(event, receipts.digest(code)))
        uow.emit(event, subject=str(event.complaint_id))
        await uow.commit()
    log.info("complaint received", extra={"complaint_id": str(event.complaint_id)})
    return Acknowledgement(event.complaint_id, code, event.submitted_at)


async def record_case_opened(message: Inbound[CaseOpened], uow: UnitOfWork) -> None:
    """Handle `CaseOpened`: the child's status becomes "case opened", with the date.

    An event for a complaint intake does not hold is logged and dropped (see README).
    """
    event = message.data
    status = await get_status(uow.session, event.complaint_id)
    ids = {"complaint_id": str(event.complaint_id), "case_id": str(event.case_id)}
    if status is None:
        log.warning("case opened for a complaint intake does not hold", extra=ids)
        return
    if not advances(status.status, CASE_OPENED):
        return
    status.status = CASE_OPENED
    status.case_id = event.case_id
    status.case_opened_at = event.opened_at
    status.updated_at = utcnow()
    uow.session.add(status)


HANDLERS: dict[type[EventData], Handler] = {CaseOpened: record_case_opened}
