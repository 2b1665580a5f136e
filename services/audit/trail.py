"""Searching the trail: log entries by case, time, producing service and event type.

Read-only; everything here is metadata (ids, types, times), never what an event said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.db import AuditLogEntry


@dataclass(frozen=True)
class TrailQuery:
    """What to look for; None means any."""

    subject: str | None = None
    type: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


async def search(session: AsyncSession, query: TrailQuery) -> list[AuditLogEntry]:
    """Matching entries, newest first, at most `query.limit`."""
    statement = select(AuditLogEntry).order_by(col(AuditLogEntry.position).desc())
    if query.subject is not None:
        statement = statement.where(AuditLogEntry.subject == query.subject)
    if query.type is not None:
        statement = statement.where(AuditLogEntry.type == query.type)
    if query.source is not None:
        statement = statement.where(AuditLogEntry.source == query.source)
    if query.since is not None:
        statement = statement.where(col(AuditLogEntry.appended_at) >= query.since)
    if query.until is not None:
        statement = statement.where(col(AuditLogEntry.appended_at) < query.until)
    return list((await session.exec(statement.limit(query.limit))).all())


async def timeline(session: AsyncSession, subject: str) -> list[AuditLogEntry]:
    """Every entry about one case (complaint id), in the order the log took them."""
    statement = (
        select(AuditLogEntry)
        .where(AuditLogEntry.subject == subject)
        .order_by(col(AuditLogEntry.position))
        .limit(2000)
    )
    return list((await session.exec(statement)).all())
