"""Audit's table, the append-only log, and its queries.

Positions are gapless: a batch of appends takes max + 1, max + 2, ... inside its transaction.
On SQLite the transaction holds the write lock from its start (BEGIN IMMEDIATE); on
PostgreSQL a table lock that only appenders contend for serialises concurrent consumers
(readers are not blocked). The migration adds triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.audit.model import Observation
from shared.clock import utcnow
from shared.db.types import UTCDateTime

TABLE = "audit_log_entry"
_POSITION = BigInteger().with_variant(Integer(), "sqlite")


class AuditLogEntry(SQLModel, table=True):
    """One leaf of the log: a record's hash and opaque metadata, never its content."""

    __tablename__ = TABLE

    position: int = Field(sa_column=Column(_POSITION, primary_key=True, autoincrement=False))
    # Null only on rows appended before the tree existed (migration 0002).
    entry_hash: str | None = Field(default=None, max_length=64)
    leaf_hash: str = Field(max_length=64, index=True)
    event_id: str | None = Field(default=None, max_length=100, index=True)
    source: str | None = Field(default=None, max_length=100)
    type: str | None = Field(default=None, max_length=100)
    subject: str | None = Field(default=None, max_length=100)
    topic: str = Field(max_length=200)
    partition: int
    offset: int = Field(sa_column=Column(BigInteger, nullable=False))
    dlq_reason: str | None = Field(default=None, max_length=64)
    dlq_consumer: str | None = Field(default=None, max_length=100)
    appended_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


def _size() -> SelectOfScalar[int]:
    # Max + 1 rather than count(*): the primary key index answers it without a scan.
    return select(sa.func.coalesce(sa.func.max(col(AuditLogEntry.position)), -1) + 1)


async def _lock_for_append(session: AsyncSession) -> None:
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # SHARE ROW EXCLUSIVE conflicts with itself and with inserts, not with reads.
        await connection.execute(sa.text(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE"))


async def append_entries(session: AsyncSession, observations: Sequence[Observation]) -> int:
    """Append `observations` at the next positions, in order; return the first position.

    One lock and one multi-row INSERT for the whole batch: positions stay gapless and in
    the order given.
    """
    await _lock_for_append(session)
    first = (await session.exec(_size())).one()
    now = utcnow()
    rows = [
        {"position": first + i, "appended_at": now, **asdict(observation)}
        for i, observation in enumerate(observations)
    ]
    if rows:
        await (await session.connection()).execute(sa.insert(AuditLogEntry), rows)
    return first


async def log_size(session: AsyncSession) -> int:
    """How many entries the log holds (positions run from 0 to size - 1)."""
    return (await session.exec(_size())).one()


async def latest_entries(
    session: AsyncSession, *, limit: int, before: int | None = None
) -> list[AuditLogEntry]:
    """Up to `limit` entries, newest first, all below position `before` if given."""
    query = select(AuditLogEntry).order_by(col(AuditLogEntry.position).desc()).limit(limit)
    if before is not None:
        query = query.where(col(AuditLogEntry.position) < before)
    return list((await session.exec(query)).all())


async def get_entry(session: AsyncSession, position: int) -> AuditLogEntry | None:
    """The entry at `position`, if the log is that long."""
    return await session.get(AuditLogEntry, position)
