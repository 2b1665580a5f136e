"""Casework's tables: one case per complaint, in a queue, with a deadline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from shared.db.types import UTCDateTime

CaseStatus = Literal["received"]
OPEN_STATUSES: tuple[str, ...] = ("received",)


class Case(SQLModel, table=True):
    """A case: what triage decided about a complaint, and where it stands now.

    Casework holds no child data yet: the complaint's words stay with intake until the
    casework console issue brings them here, encrypted.
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
