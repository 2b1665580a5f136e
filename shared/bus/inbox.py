"""The idempotent-consumer inbox: a row per applied event, in the handler's transaction.

The primary key (consumer, dedupe key) makes applying the same event twice impossible:
a second attempt either sees the row or fails the commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, select
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


async def already_processed(session: AsyncSession, consumer: str, dedupe_key: str) -> bool:
    """Whether `consumer` applied the event with `dedupe_key` before."""
    query = select(InboxEntry).where(
        InboxEntry.consumer == consumer, InboxEntry.dedupe_key == dedupe_key
    )
    return (await session.exec(query)).first() is not None


def record_processed(session: AsyncSession, consumer: str, dedupe_key: str) -> None:
    """Mark the event applied, inside the caller's transaction."""
    session.add(InboxEntry(consumer=consumer, dedupe_key=dedupe_key))
