"""Events emitted by the triage service on the `triage` topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.contracts.base import EventData

Urgency = Literal["emergency", "urgent", "priority", "standard"]


class ComplaintTriaged(EventData):
    """Triage decided where a complaint goes and how fast it must be handled."""

    type_name: ClassVar[str] = "heard.complaint.triaged.v1"
    topic: ClassVar[str] = "triage"
    producer: ClassVar[str] = "triage"

    complaint_id: uuid.UUID
    triaged_at: datetime
    category: str = Field(min_length=1, max_length=64)
    urgency: Urgency
    priority: int = Field(ge=1, le=4, description="1 is the most pressing")
    queue: str = Field(min_length=1, max_length=64)
    respond_by: datetime
    reasons: list[str] = Field(default_factory=list, max_length=50)
    rule_set: str = Field(min_length=1, max_length=64)
    # Added compatibly (defaults), so a decision can be replayed and explained later.
    categories: list[str] = Field(default_factory=list, max_length=30, description="gravest first")
    rule_set_hash: str = Field(default="", max_length=64, description="SHA-256 of the rule file")
    rules_fired: list[str] = Field(default_factory=list, max_length=200)
    signals: list[str] = Field(default_factory=list, max_length=50)
    interim_measures: bool = Field(default=False, description="suggested, OPIC art. 6")
    admissibility: Literal["likely_admissible", "review"] | None = Field(
        default=None, description="a pre-screen suggestion; a case worker decides"
    )
    admissibility_reasons: list[str] = Field(default_factory=list, max_length=20)


class RuleSetActivated(EventData):
    """Staff put a new triage rule set in force (it had passed the schema and the corpus)."""

    type_name: ClassVar[str] = "heard.triage.rule-set-activated.v1"
    topic: ClassVar[str] = "triage"
    producer: ClassVar[str] = "triage"

    version: str = Field(min_length=1, max_length=64)
    content_hash: str = Field(min_length=64, max_length=64)
    activated_at: datetime
    activated_by: str = Field(min_length=1, max_length=200, description="the staff subject")
    p1_recall: float = Field(ge=0, le=1)
    over_escalation: float = Field(ge=0, le=1, description="share of P3 raised to P1")


class ComplaintProfiled(EventData):
    """The de-identified profile of one complaint, for the oversight statistics.

    Travels on `statistics` under a pseudonymous id that no other event carries, so the
    figures cannot be joined back to a case; only coarse bands, never words or contacts.
    """

    type_name: ClassVar[str] = "heard.statistics.complaint-profiled.v1"
    topic: ClassVar[str] = "statistics"
    producer: ClassVar[str] = "triage"

    profile_id: uuid.UUID
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="month received, YYYY-MM")
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    submitted_by: str = Field(max_length=16)
    age_band: str = Field(max_length=16)
    gender: str = Field(max_length=24)
    disability: bool | None = None
    region: str | None = Field(default=None, max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=20)
    urgency: str = Field(max_length=16)


class SystemicPatternDetected(EventData):
    """Complaints about one institution, place or person cluster beyond the threshold (OPIC
    art. 13): for supervisors and oversight. Names travel only as keyed hashes."""

    type_name: ClassVar[str] = "heard.triage.systemic-pattern-detected.v1"
    topic: ClassVar[str] = "triage"
    producer: ClassVar[str] = "triage"

    pattern_id: uuid.UUID
    subject_hash: str = Field(min_length=16, max_length=64, description="keyed hash of the name")
    complaints: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    window_days: int = Field(ge=1, le=3650)
    threshold: int = Field(ge=2, le=10000)
    detected_at: datetime
