"""The idempotent-consumer inbox: a row per applied event, in the handler's transaction.

The primary key (consumer, dedupe key) makes applying the same event twice impossible:
a second attempt either sees the row or fails the commit. A batch is checked with one
query and recorded with one multi-row INSERT. Rows older than the service's inbox
retention are purged by its relay (`purge_processed`): the window must outlast any
redelivery (Kafka's own retention, a replay, a dead letter re-driven).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Column, delete, insert, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import utcnow
from shared.db.types import UTCDateTime


class InboxEntry(SQLModel, table=True):
    """An event a consumer has already applied."""

    __tablename__ = "heard_inbox"

    consumer: str = Field(primary_key=True, max_length=100)
    dedupe_key: str = Field(primary_key=True, max_length=300)
    processed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


async def already_processed(
    session: AsyncSession, consumer: str, dedupe_keys: Iterable[str]
) -> set[str]:
    """Which of `dedupe_keys` `consumer` applied before."""
    keys = list(dedupe_keys)
    if not keys:
        return set()
    query = select(InboxEntry.dedupe_key).where(
        InboxEntry.consumer == consumer, col(InboxEntry.dedupe_key).in_(keys)
    )
    return set((await session.exec(query)).all())


class InboxRecords:
    """The inbox's deferred writer for one consumer: one INSERT per batch."""

    def __init__(self, consumer: str) -> None:
        self._consumer = consumer

    async def write(self, session: AsyncSession, items: Sequence[str]) -> None:
        """Record the dedupe keys `items` as applied by this consumer."""
        if not items:
            return
        now = utcnow()
        rows = [{"consumer": self._consumer, "dedupe_key": k, "processed_at": now} for k in items]
        await (await session.connection()).execute(insert(InboxEntry), rows)

    async def forget(self, session: AsyncSession, dedupe_key: str) -> None:
        """Remove a claim made earlier in this transaction (its record was not applied)."""
        statement = delete(InboxEntry).where(
            col(InboxEntry.consumer) == self._consumer, col(InboxEntry.dedupe_key) == dedupe_key
        )
        await (await session.connection()).execute(statement)


async def purge_processed(connection: AsyncConnection, before: datetime, chunk: int) -> int:
    """Delete up to `chunk` inbox rows processed before `before`; how many went."""
    table = InboxEntry.__table__  # type: ignore[attr-defined]
    old = (
        select(table.c.consumer, table.c.dedupe_key)
        .where(table.c.processed_at < before)
        .limit(chunk)
    )
    keys = tuple_(table.c.consumer, table.c.dedupe_key)
    result = await connection.execute(delete(table).where(keys.in_(old)))
    return int(result.rowcount or 0)
