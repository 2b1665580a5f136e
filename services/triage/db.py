"""Triage's tables: one decision per complaint."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db.types import UTCDateTime


class TriageDecisionBase(SQLModel):
    """What triage decided about a complaint (no narrative: triage keeps no child data)."""

    complaint_id: uuid.UUID = Field(primary_key=True)
    category: str = Field(max_length=64)
    urgency: str = Field(max_length=16)
    priority: int
    queue: str = Field(max_length=64, index=True)
    respond_by: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # a JSON list
    rule_set: str = Field(max_length=64)
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TriageDecision(TriageDecisionBase, table=True):
    """A stored triage decision."""

    __tablename__ = "triage_decision"


async def get_decision(session: AsyncSession, complaint_id: uuid.UUID) -> TriageDecision | None:
    """The decision for `complaint_id`, if triage has made one."""
    return await session.get(TriageDecision, complaint_id)
