"""What a child does with their receipt code: reply, add information, withdraw, and say
(optionally) whether they felt heard. One transaction and one event each.

Feedback travels on `statistics` under a fresh pseudonymous id with only the month, the
language and the age band: it is never joined to the case.
"""

from __future__ import annotations

import uuid
from typing import Literal

from services.intake import store
from services.intake.db import Complaint, ComplaintStatus, Message
from services.intake.errors import AlreadyFinished, NotYetClosed
from services.intake.model import WITHDRAWN, is_finished
from shared.clock import utcnow
from shared.crypto.at_rest import FieldCipher
from shared.db.uow import UnitOfWork
from shared.events.contracts import (
    ComplaintWithdrawn,
    FeedbackGiven,
    InformationAdded,
    MessageFromChild,
)
from shared.events.contracts.intake import Answer, Channel
from shared.ids import new_id

Kind = Literal["from_child", "information"]


async def _add_message(
    uow: UnitOfWork, fields: FieldCipher, complaint_id: uuid.UUID, kind: Kind, text: str
) -> tuple[uuid.UUID, object]:
    message_id, at = new_id(), utcnow()
    body = await store.seal_text(uow.session, fields, complaint_id, "message", text)
    uow.session.add(
        Message(message_id=message_id, complaint_id=complaint_id, kind=kind, sent_at=at, body=body)
    )
    return message_id, at


async def _open_status(uow: UnitOfWork, complaint_id: uuid.UUID) -> ComplaintStatus:
    status = await store.get_status(uow.session, complaint_id)
    if status is None or is_finished(status.status):
        raise AlreadyFinished()
    return status


async def reply(
    uow: UnitOfWork,
    fields: FieldCipher,
    complaint_id: uuid.UUID,
    text: str,
    channel: Channel = "web",
) -> None:
    """The child writes to the case worker: stored sealed, `MessageFromChild` emitted."""
    async with uow:
        await _open_status(uow, complaint_id)
        message_id, at = await _add_message(uow, fields, complaint_id, "from_child", text)
        event = MessageFromChild(
            complaint_id=complaint_id, message_id=message_id, sent_at=at, body=text, channel=channel
        )
        uow.emit(event, subject=str(complaint_id))
        await uow.commit()


async def add_information(
    uow: UnitOfWork, fields: FieldCipher, complaint_id: uuid.UUID, text: str
) -> None:
    """The child adds to their complaint: stored sealed, `InformationAdded` emitted."""
    async with uow:
        await _open_status(uow, complaint_id)
        _, at = await _add_message(uow, fields, complaint_id, "information", text)
        event = InformationAdded(complaint_id=complaint_id, added_at=at, text=text)
        uow.emit(event, subject=str(complaint_id))
        await uow.commit()


async def withdraw(uow: UnitOfWork, complaint_id: uuid.UUID) -> None:
    """The child withdraws: the status reads "withdrawn" and `ComplaintWithdrawn` is emitted."""
    async with uow:
        status = await _open_status(uow, complaint_id)
        status.status, status.updated_at = WITHDRAWN, utcnow()
        uow.session.add(status)
        event = ComplaintWithdrawn(complaint_id=complaint_id, withdrawn_at=status.updated_at)
        uow.emit(event, subject=str(complaint_id))
        await uow.commit()


async def give_feedback(
    uow: UnitOfWork, complaint_id: uuid.UUID, felt_heard: Answer | None, helped: Answer | None
) -> None:
    """Once, after the case closed: `FeedbackGiven` under a pseudonymous id."""
    async with uow:
        status = await store.get_status(uow.session, complaint_id)
        complaint = await uow.session.get(Complaint, complaint_id)
        if status is None or complaint is None or not is_finished(status.status):
            raise NotYetClosed()
        if status.feedback_given:
            return
        status.feedback_given = True
        uow.session.add(status)
        feedback_id = new_id()
        event = FeedbackGiven(
            feedback_id=feedback_id,
            period=utcnow().strftime("%Y-%m"),
            felt_heard=felt_heard,
            helped=helped,
            language=complaint.language,
            age_band=complaint.age_band,
        )
        uow.emit(event, subject=str(feedback_id))
        await uow.commit()
