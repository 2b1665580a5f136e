"""Events emitted by the casework service on the `cases` topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.contracts.base import EventData


class CaseOpened(EventData):
    """A case was opened for a triaged complaint and placed in a queue."""

    type_name: ClassVar[str] = "heard.case.opened.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    opened_at: datetime
    queue: str = Field(min_length=1, max_length=64)
    priority: int = Field(ge=1, le=4)
    respond_by: datetime


# The steps of the procedure (mirroring OPIC); intake turns each into plain words for the child.
Step = Literal[
    "received",
    "acknowledged",
    "admissibility_review",
    "inadmissible",
    "admissible",
    "transmitted",
    "friendly_settlement",
    "examination",
    "decision",
    "follow_up",
    "closed",
    "withdrawn",
]


class CaseStepChanged(EventData):
    """A case moved to another step of the procedure.

    `explanation` is the child-friendly text, in the child's language, that the child's
    follow-up page shows for this step (written from casework's templates); optional.
    """

    type_name: ClassVar[str] = "heard.case.step-changed.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    step: Step
    previous_step: Step
    changed_at: datetime
    explanation: str | None = Field(default=None, max_length=4000)


class MessageToChild(EventData):
    """A case worker wrote to the child; shown on the child's follow-up page."""

    type_name: ClassVar[str] = "heard.case.message-to-child.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    message_id: uuid.UUID
    sent_at: datetime
    body: str = Field(min_length=1, max_length=4000)
    asks_for_information: bool = False


class CaseAssigned(EventData):
    """A case was given to a member of staff: claimed by a case worker, or assigned or
    reassigned by a supervisor. Staff names and opaque ids only, never the child's data."""

    type_name: ClassVar[str] = "heard.case.assigned.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    assignee: str = Field(min_length=1, max_length=200)
    previous_assignee: str | None = Field(default=None, max_length=200)
    assigned_by: str = Field(min_length=1, max_length=200)
    assigned_at: datetime


class CaseAccessed(EventData):
    """A member of staff read a child's data in a case (so the audit log answers "who saw
    this child's file"). `reason` is given where the reader's role must say why; it is the
    reader's own words about their purpose, never the child's."""

    type_name: ClassVar[str] = "heard.case.accessed.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    accessed_by: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(max_length=5)
    part: Literal["words", "identity"]
    accessed_at: datetime
    reason: str | None = Field(default=None, max_length=500)


class DeadlineBreached(EventData):
    """A legal clock on a case ran out before the step it waits for was taken."""

    type_name: ClassVar[str] = "heard.case.deadline-breached.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    deadline_id: uuid.UUID
    kind: str = Field(min_length=1, max_length=32)
    due_at: datetime
    breached_at: datetime
    escalated_to: str = Field(default="supervisor", max_length=64)


class InterimMeasuresTaken(EventData):
    """Protective measures were taken on a case (imminent irreparable harm)."""

    type_name: ClassVar[str] = "heard.case.interim-measures-taken.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    measure_id: uuid.UUID
    taken_by: str = Field(min_length=1, max_length=200)
    taken_at: datetime


class ReferralChanged(EventData):
    """A referral to another service was requested, accepted, rejected, done or revoked."""

    type_name: ClassVar[str] = "heard.case.referral-changed.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    referral_id: uuid.UUID
    service: str = Field(min_length=1, max_length=32)
    status: str = Field(min_length=1, max_length=16)
    changed_by: str = Field(min_length=1, max_length=200)
    changed_at: datetime
    consent: bool


class DecisionRecorded(EventData):
    """A decision with findings and recommendations was recorded on a case."""

    type_name: ClassVar[str] = "heard.case.decision-recorded.v1"
    topic: ClassVar[str] = "cases"
    producer: ClassVar[str] = "casework"

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    decision_id: uuid.UUID
    decided_by: str = Field(min_length=1, max_length=200)
    decided_at: datetime
    recommendations: int = Field(ge=0, le=100)


# How long after the complaint was received a milestone was reached (coarse on purpose).
Elapsed = Literal[
    "under_1_hour",
    "1_24_hours",
    "1_7_days",
    "7_30_days",
    "1_3_months",
    "3_6_months",
    "over_6_months",
]
Milestone = Literal[
    "acknowledged",
    "admissibility_decided",
    "decided",
    "ended",
    "deadline_breached",
    "referred",
]


class CaseMilestone(EventData):
    """A case reached a milestone, de-identified for the oversight statistics.

    Travels on `statistics` under a fresh random id (never the case's, and no two milestones
    of one case share one), so the figures cannot be joined back to a case or to each other.
    `outcome` says which way it went: admissible or inadmissible; how the case ended
    (`closed_after_decision`, `closed_by_settlement`, `inadmissible`, `withdrawn`); the kind
    of deadline breached; the service referred to. Only coarse bands, never words.
    """

    type_name: ClassVar[str] = "heard.statistics.case-milestone.v1"
    topic: ClassVar[str] = "statistics"
    producer: ClassVar[str] = "casework"

    milestone_id: uuid.UUID
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="month reached, YYYY-MM")
    milestone: Milestone
    outcome: str | None = Field(default=None, max_length=32, pattern=r"^[a-z0-9_]+$")
    elapsed: Elapsed = Field(description="since the complaint was received")
    region: str | None = Field(default=None, max_length=100)
    category: str = Field(min_length=1, max_length=64)
    urgency: str = Field(min_length=1, max_length=16)
