"""Events emitted by the casework service on the `cases` topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

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
