"""Intake's queries: writing a submission sealed, finding it again by receipt code or by
idempotency key, and reading the child's view of it.

Every child-describing field passes through `FieldCipher` here and nowhere else, so a
column holding readable child data cannot be written by accident.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.db import (
    SEALED_COMPLAINT_FIELDS,
    Complaint,
    ComplaintStatus,
    IdempotencyKey,
    Message,
    Receipt,
    ReceiptCode,
)
from services.intake.model import RECEIVED
from services.intake.receipts import ReceiptHasher, is_code
from shared.clock import utcnow
from shared.crypto.at_rest import FieldCipher
from shared.events.contracts import ComplaintSubmitted

PLAIN_COMPLAINT_FIELDS = (
    "complaint_id",
    "submitted_at",
    "channel",
    "language",
    "submitted_by",
    "anonymous",
    "age_band",
    "gender",
    "disability",
    "in_danger",
    "operator_id",
)


def _child_fields(event: ComplaintSubmitted) -> dict[str, str | None]:
    contact, on_behalf = event.contact, event.on_behalf
    return {
        "narrative": event.narrative,
        "region": event.region,
        "platform": event.platform,
        "happened_when": event.happened_when,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
        "contact_best_time": contact.best_time if contact else None,
        "on_behalf_relationship": on_behalf.relationship if on_behalf else None,
        "reason_without_consent": on_behalf.reason_without_consent if on_behalf else None,
    }


async def _complaint(
    session: AsyncSession, fields: FieldCipher, event: ComplaintSubmitted
) -> Complaint:
    subject = event.complaint_id
    fields.new_subject(session, subject)
    sealed = {
        name: await fields.seal(session, subject, name, value)
        for name, value in _child_fields(event).items()
    }
    plain = event.model_dump(include=set(PLAIN_COMPLAINT_FIELDS))
    flags = {
        "safe_to_contact": bool(event.contact and event.contact.safe_to_contact),
        "child_consents": event.on_behalf.child_consents if event.on_behalf else None,
    }
    return Complaint.model_validate({**plain, **sealed, **flags})


async def add_submission(
    session: AsyncSession, fields: FieldCipher, event: ComplaintSubmitted, receipt: ReceiptCode
) -> None:
    """Add the rows one accepted submission writes: complaint, receipt, status "received"."""
    at = event.submitted_at
    session.add(await _complaint(session, fields, event))
    session.add(receipt)
    session.add(
        ComplaintStatus(
            complaint_id=event.complaint_id, status=RECEIVED, received_at=at, updated_at=at
        )
    )


async def seal_text(
    session: AsyncSession, fields: FieldCipher, subject: uuid.UUID, field: str, text: str
) -> bytes:
    """`text` (never absent) sealed under `subject`'s key as `field`."""
    sealed = await fields.seal(session, subject, field, text)
    if sealed is None:  # pragma: no cover - seal returns None only for None
        raise ValueError("nothing to seal")
    return sealed


async def opened_complaint(
    session: AsyncSession, fields: FieldCipher, complaint: Complaint
) -> dict[str, str | None]:
    """The child's fields of `complaint`, opened (for staff views and tests)."""
    subject = complaint.complaint_id
    return {
        name: await fields.open(session, subject, name, getattr(complaint, name))
        for name in SEALED_COMPLAINT_FIELDS
    }


async def get_status(session: AsyncSession, complaint_id: uuid.UUID) -> ComplaintStatus | None:
    """The status row of `complaint_id`, if intake holds that complaint."""
    return await session.get(ComplaintStatus, complaint_id)


async def find_receipt(
    session: AsyncSession, receipts: ReceiptHasher, code: str
) -> ReceiptCode | None:
    """The 16-digit receipt `code` opens (ValueError if it is not one)."""
    key_ids = (await session.exec(select(ReceiptCode.key_id).distinct())).all()
    tags = receipts.tags(code, key_ids)
    query = select(ReceiptCode).where(col(ReceiptCode.tag).in_([tag for _, tag in tags]))
    for row in (await session.exec(query)).all():
        if (row.key_id, row.tag) in tags and receipts.matches(row.code_hash, code):
            return row
    return None


async def first_return(session: AsyncSession, complaint_id: uuid.UUID) -> bool:
    """Whether the child opens the complaint for the first time since submitting (noted)."""
    row = await session.get(ReceiptCode, complaint_id)
    if row is None or row.returned_at is not None:
        return False
    row.returned_at = utcnow()
    session.add(row)
    await session.commit()
    return True


async def _legacy_status(
    session: AsyncSession, receipts: ReceiptHasher, code: str
) -> ComplaintStatus | None:
    key_ids = (await session.exec(select(Receipt.key_id).distinct())).all()
    candidates = receipts.legacy_candidates(code, key_ids)
    query = (
        select(ComplaintStatus, Receipt)
        .join(Receipt, col(Receipt.complaint_id) == col(ComplaintStatus.complaint_id))
        .where(col(Receipt.code_hash).in_([code_hash for _, code_hash in candidates]))
    )
    now = utcnow()
    for status, receipt in (await session.exec(query)).all():
        if (receipt.key_id, receipt.code_hash) in candidates:
            return status if receipts.legacy_valid(receipt.issued_at, now) else None
    return None


async def status_by_receipt(
    session: AsyncSession, receipts: ReceiptHasher, code: str
) -> ComplaintStatus | None:
    """The status of the complaint `code` opens, whichever form and key version issued it
    (an old-form code only until it expires); ValueError if `code` is not a code at all."""
    if not is_code(code):
        raise ValueError("not a receipt code")
    try:
        receipt = await find_receipt(session, receipts, code)
    except ValueError:
        return await _legacy_status(session, receipts, code)
    return await get_status(session, receipt.complaint_id) if receipt else None


async def find_idempotent(session: AsyncSession, key_hash: str) -> IdempotencyKey | None:
    """The submission already accepted under this idempotency key's hash, if any."""
    return await session.get(IdempotencyKey, key_hash)


@dataclass(frozen=True)
class MessageView:
    """One message as the follow-up page shows it."""

    kind: str
    sent_at: datetime
    body: str
    asks_for_information: bool


async def messages_of(
    session: AsyncSession, fields: FieldCipher, complaint_id: uuid.UUID
) -> list[MessageView]:
    """The case's messages and added information, oldest first, opened."""
    query = (
        select(Message)
        .where(col(Message.complaint_id) == complaint_id)
        .order_by(col(Message.sent_at), col(Message.message_id))
    )
    views = []
    for row in (await session.exec(query)).all():
        body = await fields.open(session, complaint_id, "message", row.body) or ""
        views.append(MessageView(row.kind, row.sent_at, body, row.asks_for_information))
    return views
