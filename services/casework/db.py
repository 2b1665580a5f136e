"""Casework's tables: cases, what the child said (sealed), the timeline, deadlines, messages.

Whatever identifies or describes a child is sealed under the complaint's own data key
(`runtime.fields`, subject = complaint id): the narrative, contacts, the representative,
added information, messages both ways, and the reasons staff write (they may quote the child).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from shared.db.types import UTCDateTime


def _when(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime, nullable=nullable))


def _sealed(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(LargeBinary, nullable=nullable))


class Case(SQLModel, table=True):
    """A case: what triage decided about a complaint, and where it stands in the procedure.

    `status` is the procedure step (model.Step); `version` grows with every change, so two
    people acting at once cannot overwrite each other (optimistic locking).
    """

    __tablename__ = "casework_case"
    __table_args__ = (
        # The queue listing is an index range scan in exactly its sort order.
        Index(
            "ix_casework_case_queue_order",
            "queue",
            "status",
            "priority",
            "respond_by",
            "opened_at",
            "case_id",
        ),
    )

    case_id: uuid.UUID = Field(primary_key=True)
    complaint_id: uuid.UUID = Field(unique=True)
    queue: str = Field(max_length=64)
    status: str = Field(max_length=32)
    priority: int
    urgency: str = Field(max_length=16)
    category: str = Field(max_length=64)
    respond_by: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    opened_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    version: int = 1
    assignee: str | None = Field(default=None, max_length=200, index=True)


class ComplaintRecord(SQLModel, table=True):
    """What intake's ComplaintSubmitted carried, sealed; it may arrive before or after triage."""

    __tablename__ = "casework_complaint"

    complaint_id: uuid.UUID = Field(primary_key=True)
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    age_band: str = Field(max_length=16)
    submitted_by: str = Field(max_length=16)
    anonymous: bool
    region: str | None = Field(default=None, max_length=100)
    narrative: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    identity: bytes | None = _sealed()
    withdrawn_at: datetime | None = _when(nullable=True)


class ChildWords(SQLModel, table=True):
    """Something the child added later: more information, or a message to the case worker."""

    __tablename__ = "casework_child_words"

    entry_id: uuid.UUID = Field(primary_key=True)
    complaint_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TimelineEntry(SQLModel, table=True):
    """One thing that happened to a case: who, what, from which step to which, and why."""

    __tablename__ = "casework_timeline"

    entry_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(max_length=200)
    action: str = Field(max_length=32)
    from_step: str | None = Field(default=None, max_length=32)
    to_step: str | None = Field(default=None, max_length=32)
    reason: bytes | None = _sealed()


class Deadline(SQLModel, table=True):
    """A legal clock on a case; `breached_at` is set once, by the scheduler, never twice."""

    __tablename__ = "casework_deadline"
    __table_args__ = (Index("ix_casework_deadline_due", "cleared_at", "breached_at", "due_at"),)

    deadline_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=32)
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    breached_at: datetime | None = _when(nullable=True)
    cleared_at: datetime | None = _when(nullable=True)


class ChildMessage(SQLModel, table=True):
    """A message a case worker sent to the child."""

    __tablename__ = "casework_message"

    message_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    sent_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    author: str = Field(max_length=200)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Page(SQLModel, table=True):
    """A page to the on-call staff about a pressing case, sent until someone acknowledges it.

    It names the case and its priority, never the child: pages leave the system by e-mail.
    """

    __tablename__ = "casework_page"
    __table_args__ = (Index("ix_casework_page_due", "acknowledged_at", "next_send_at"),)

    page_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    reason: str = Field(max_length=64)
    priority: int
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    next_send_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_count: int = 0
    acknowledged_at: datetime | None = _when(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=200)


class Measure(SQLModel, table=True):
    """An interim measure: what was done to protect the child (sealed), by whom, when."""

    __tablename__ = "casework_measure"

    measure_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    what: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    taken_by: str = Field(max_length=200)
    taken_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Referral(SQLModel, table=True):
    """A referral to a service from the directory, and where it stands."""

    __tablename__ = "casework_referral"

    referral_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    service: str = Field(max_length=32)
    status: str = Field(max_length=16)
    consent: bool
    requested_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Approval(SQLModel, table=True):
    """A supervisor's approval asked for (closing, inadmissibility, a consent override)."""

    __tablename__ = "casework_approval"

    approval_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reason: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    referral_id: uuid.UUID | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = _when(nullable=True)
    decision_reason: bytes | None = _sealed()


class Decision(SQLModel, table=True):
    """Findings, the child's views and how they were weighed (CRC art. 12), all sealed."""

    __tablename__ = "casework_decision"

    decision_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    findings: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    child_views: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    views_weighed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    decided_by: str = Field(max_length=200)
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Recommendation(SQLModel, table=True):
    """A recommendation to a duty-bearer, followed up until implemented or escalated."""

    __tablename__ = "casework_recommendation"

    recommendation_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    decision_id: uuid.UUID
    duty_bearer: str = Field(max_length=200)
    text: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(max_length=16)
    response: bytes | None = _sealed()


TABLES: tuple[type[SQLModel], ...] = (
    Case,
    ComplaintRecord,
    ChildWords,
    TimelineEntry,
    Deadline,
    ChildMessage,
    Page,
    Measure,
    Referral,
    Approval,
    Decision,
    Recommendation,
)
