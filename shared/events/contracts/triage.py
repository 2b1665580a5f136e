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
