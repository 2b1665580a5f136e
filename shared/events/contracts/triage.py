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
