"""The register of recommendations to duty-bearers: every recommendation with its due date
and whether the duty-bearer answered, followed up until implemented or escalated.

It lists who was asked, by when, and where it stands: no text of the recommendation or of
the response (those are the case's, read on the case page), so oversight can watch the
register without reading a child's file.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.db import Recommendation

STATUSES = ("open", "implemented", "escalated")


class Entry(BaseModel):
    """One recommendation in the register (no text: that is read on the case)."""

    recommendation_id: uuid.UUID
    case_id: uuid.UUID
    duty_bearer: str
    due_at: datetime
    status: str
    overdue: bool


async def register(
    session: AsyncSession, now: datetime, status: str | None = None, limit: int = 500
) -> list[Entry]:
    """Recommendations, open ones first and the longest overdue first among them."""
    query = select(Recommendation).order_by(
        case((col(Recommendation.status) == "open", 0), else_=1),
        col(Recommendation.due_at),
        col(Recommendation.recommendation_id),
    )
    if status is not None:
        query = query.where(col(Recommendation.status) == status)
    rows = (await session.exec(query.limit(limit))).all()
    return [
        Entry(
            recommendation_id=r.recommendation_id,
            case_id=r.case_id,
            duty_bearer=r.duty_bearer,
            due_at=r.due_at,
            status=r.status,
            overdue=r.status == "open" and r.due_at < now,
        )
        for r in rows
    ]
