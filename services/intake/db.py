"""Intake's tables and queries: the submission, its receipt, and the child's view of it.

The submission row is written once and never changed; the receipt row holds only the keyed
hash of the code; the status row is the read model casework's events move along.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.model import RECEIVED
from shared.db.types import UTCDateTime
from shared.events.contracts import ComplaintSubmitted

COMPLAINT_ID = "intake_complaint.complaint_id"


class Complaint(SQLModel, table=True):
    """A complaint as it was submitted (the only copy of the child's words intake keeps)."""

    __tablename__ = "intake_complaint"

    complaint_id: uuid.UUID = Field(primary_key=True)
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    submitted_by: str = Field(max_length=16)
    anonymous: bool
    narrative: str = Field(sa_column=Column(Text, nullable=False))
    age_band: str = Field(max_length=16)
    gender: str = Field(max_length=32)
    disability: bool | None = None
    region: str | None = Field(default=None, max_length=100)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=254)
    safe_to_contact: bool = False
    on_behalf_relationship: str | None = Field(default=None, max_length=100)
    child_consents: bool | None = None
    reason_without_consent: str | None = Field(default=None, max_length=2000)


class Receipt(SQLModel, table=True):
    """The keyed hash of a complaint's receipt code; the code itself is never stored."""

    __tablename__ = "intake_receipt"

    code_hash: str = Field(primary_key=True, max_length=64)
    complaint_id: uuid.UUID = Field(foreign_key=COMPLAINT_ID, unique=True)
    issued_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ComplaintStatus(SQLModel, table=True):
    """Where a complaint stands, as the child may see it (the case id stays internal)."""

    __tablename__ = "intake_status"

    complaint_id: uuid.UUID = Field(primary_key=True, foreign_key=COMPLAINT_ID)
    status: str = Field(max_length=16)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    case_id: uuid.UUID | None = None
    case_opened_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


def _complaint(event: ComplaintSubmitted) -> Complaint:
    contact, on_behalf = event.contact, event.on_behalf
    return Complaint(
        **event.model_dump(exclude={"contact", "on_behalf"}),
        contact_name=contact.name if contact else None,
        contact_phone=contact.phone if contact else None,
        contact_email=contact.email if contact else None,
        safe_to_contact=contact.safe_to_contact if contact else False,
        on_behalf_relationship=on_behalf.relationship if on_behalf else None,
        child_consents=on_behalf.child_consents if on_behalf else None,
        reason_without_consent=on_behalf.reason_without_consent if on_behalf else None,
    )


def submission_rows(event: ComplaintSubmitted, code_hash: str) -> list[SQLModel]:
    """The rows one accepted submission writes: complaint, receipt, status "received"."""
    at = event.submitted_at
    return [
        _complaint(event),
        Receipt(code_hash=code_hash, complaint_id=event.complaint_id, issued_at=at),
        ComplaintStatus(
            complaint_id=event.complaint_id, status=RECEIVED, received_at=at, updated_at=at
        ),
    ]


async def get_status(session: AsyncSession, complaint_id: uuid.UUID) -> ComplaintStatus | None:
    """The status row of `complaint_id`, if intake holds that complaint."""
    return await session.get(ComplaintStatus, complaint_id)


async def status_by_receipt(session: AsyncSession, code_hash: str) -> ComplaintStatus | None:
    """The status of the complaint whose receipt code hashes to `code_hash`."""
    query = (
        select(ComplaintStatus)
        .join(Receipt, col(Receipt.complaint_id) == col(ComplaintStatus.complaint_id))
        .where(col(Receipt.code_hash) == code_hash)
    )
    return (await session.exec(query)).first()
