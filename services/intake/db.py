"""Intake's tables: the submission, its receipt, the child's view of the case, and the
idempotency keys of submissions already accepted.

Whatever identifies or describes a child is stored only sealed (`FieldCipher`, under the
complaint's own data key): the columns of type bytes below. Plain columns hold ids, times,
choices from fixed lists and flags. The receipt row holds only the keyed hash of the code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from shared.db.types import UTCDateTime

COMPLAINT_ID = "intake_complaint.complaint_id"


def _sealed(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(LargeBinary, nullable=nullable))


def _time(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime, nullable=nullable))


class Complaint(SQLModel, table=True):
    """A complaint as it was submitted (the only copy of the child's words intake keeps)."""

    __tablename__ = "intake_complaint"

    complaint_id: uuid.UUID = Field(primary_key=True)
    submitted_at: datetime = _time()
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    submitted_by: str = Field(max_length=16)
    anonymous: bool
    age_band: str = Field(max_length=16)
    gender: str = Field(max_length=32)
    disability: bool | None = None
    in_danger: bool | None = None
    safe_to_contact: bool = False
    child_consents: bool | None = None
    operator_id: str | None = Field(default=None, max_length=100)
    narrative: bytes = _sealed(nullable=False)
    region: bytes | None = _sealed()
    platform: bytes | None = _sealed()
    happened_when: bytes | None = _sealed()
    contact_name: bytes | None = _sealed()
    contact_phone: bytes | None = _sealed()
    contact_email: bytes | None = _sealed()
    contact_best_time: bytes | None = _sealed()
    on_behalf_relationship: bytes | None = _sealed()
    reason_without_consent: bytes | None = _sealed()


SEALED_COMPLAINT_FIELDS = (
    "narrative",
    "region",
    "platform",
    "happened_when",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_best_time",
    "on_behalf_relationship",
    "reason_without_consent",
)


class Receipt(SQLModel, table=True):
    """An old-form code (20 symbols): its full keyed hash and key version. No new rows;
    kept so codes issued before 16-digit codes work until they expire."""

    __tablename__ = "intake_receipt"

    code_hash: str = Field(primary_key=True, max_length=64)
    key_id: str = Field(max_length=100)
    complaint_id: uuid.UUID = Field(foreign_key=COMPLAINT_ID, unique=True)
    issued_at: datetime = _time()


class ReceiptCode(SQLModel, table=True):
    """A complaint's 16-digit code: truncated keyed tag, Argon2id hash, and the receipt's
    commitment opening (salt and time) sealed under the code itself."""

    __tablename__ = "intake_receipt_code"

    complaint_id: uuid.UUID = Field(primary_key=True, foreign_key=COMPLAINT_ID)
    key_id: str = Field(max_length=100)
    tag: str = Field(max_length=16, index=True)
    code_hash: str = Field(max_length=200)
    issued_at: datetime = _time()
    sealed_opening: bytes = _sealed(nullable=False)
    returned_at: datetime | None = _time(nullable=True)


class ComplaintStatus(SQLModel, table=True):
    """Where a complaint stands, as the child may see it (the case id stays internal)."""

    __tablename__ = "intake_status"

    complaint_id: uuid.UUID = Field(primary_key=True, foreign_key=COMPLAINT_ID)
    status: str = Field(max_length=32)
    received_at: datetime = _time()
    case_id: uuid.UUID | None = None
    case_opened_at: datetime | None = _time(nullable=True)
    updated_at: datetime = _time()
    explanation: bytes | None = _sealed()
    feedback_given: bool = False


class Message(SQLModel, table=True):
    """One message between the case worker and the child, or information the child added."""

    __tablename__ = "intake_message"

    message_id: uuid.UUID = Field(primary_key=True)
    complaint_id: uuid.UUID = Field(foreign_key=COMPLAINT_ID, index=True)
    kind: str = Field(max_length=16)  # to_child, from_child, information
    sent_at: datetime = _time()
    body: bytes = _sealed(nullable=False)
    asks_for_information: bool = False


class IdempotencyKey(SQLModel, table=True):
    """A submission already accepted under a client's idempotency key (its keyed hash).

    `sealed_code` is the receipt code sealed under a key derived from the idempotency key
    itself: only the client that holds that key can have its receipt shown again.
    """

    __tablename__ = "intake_idempotency"

    key_hash: str = Field(primary_key=True, max_length=64)
    complaint_id: uuid.UUID = Field(foreign_key=COMPLAINT_ID)
    sealed_code: bytes = _sealed(nullable=False)
    created_at: datetime = _time()


class CallRecord(SQLModel, table=True):
    """A helpline call that created no complaint, counted for the statistics only."""

    __tablename__ = "intake_call"

    call_id: uuid.UUID = Field(primary_key=True)
    call_type: str = Field(max_length=32)
    operator_id: str = Field(max_length=100)
    recorded_at: datetime = _time()


class SmsConversation(SQLModel, table=True):
    """One sender's SMS conversation, found by the keyed hash of their number.

    The number itself is stored only sealed (under the conversation's own data key), and so
    is the story while the questions are still being answered.
    """

    __tablename__ = "intake_sms_conversation"

    sender_hash: str = Field(primary_key=True, max_length=64)
    conversation_id: uuid.UUID
    step: str = Field(max_length=16)
    language: str | None = Field(default=None, max_length=8)
    phone: bytes = _sealed(nullable=False)
    narrative: bytes | None = _sealed()
    complaint_id: uuid.UUID | None = None
    updated_at: datetime = _time()


class BlockedClient(SQLModel, table=True):
    """A client refused for clear abuse: the keyed hash of its address (never the address),
    why, who decided it and until when."""

    __tablename__ = "intake_blocked_client"

    client_hash: str = Field(primary_key=True, max_length=64)
    reason: str = Field(max_length=300)
    blocked_by: str = Field(max_length=100)
    blocked_at: datetime = _time()
    expires_at: datetime = _time()


ALL_TABLES: tuple[type[SQLModel], ...] = (
    Complaint,
    Receipt,
    ReceiptCode,
    ComplaintStatus,
    Message,
    IdempotencyKey,
    CallRecord,
    SmsConversation,
    BlockedClient,
)
