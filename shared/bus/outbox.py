"""The transactional outbox: sealed records written in the same transaction as the state.

Rows are written by `OutboxRecords` in one multi-row INSERT per transaction (no ORM flush
per row). On PostgreSQL the same transaction sends `NOTIFY heard_outbox`, which PostgreSQL
delivers only if it commits: a relay in another process wakes without polling.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, Text, insert, text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import utcnow
from shared.db.types import UTCDateTime
from shared.events.record import KafkaRecord

# BigInteger on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMessage(SQLModel, table=True):
    """One outbound Kafka record; `published_at` is set once the broker acknowledged it."""

    __tablename__ = "heard_outbox"

    seq: int | None = Field(
        default=None, sa_column=Column(_SEQ, primary_key=True, autoincrement=True)
    )
    event_id: str = Field(max_length=64, unique=True)
    topic: str = Field(max_length=200)
    key: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )

    def to_record(self) -> KafkaRecord:
        """The Kafka record this row holds."""
        return record_of(self.topic, self.key, self.value, self.headers)


NOTIFY_CHANNEL = "heard_outbox"


def row_values(record: KafkaRecord) -> dict[str, object]:
    """The column values of an unpublished outbox row holding `record`."""
    event_id = next((v.decode() for k, v in record.headers if k == "ce_id"), "")
    return {
        "event_id": event_id,
        "topic": record.topic,
        "key": record.key,
        "value": record.value,
        "headers": json.dumps([[k, base64.b64encode(v).decode()] for k, v in record.headers]),
        "created_at": utcnow(),
    }


def record_of(topic: str, key: bytes | None, value: bytes, headers: str) -> KafkaRecord:
    """The Kafka record an outbox row's columns hold."""
    decoded = [(k, base64.b64decode(v)) for k, v in json.loads(headers)]
    return KafkaRecord(topic=topic, key=key, value=value, headers=decoded)


class OutboxRecords:
    """The outbox's deferred writer: one INSERT for every record a transaction emits.

    `notify` sends `NOTIFY heard_outbox` with it (PostgreSQL): needed only when the relay may
    run in another process; a relay in this process is woken through its `OutboxSignal`.
    """

    def __init__(self, *, notify: bool = True) -> None:
        self._notify = notify

    async def write(self, session: AsyncSession, items: Sequence[KafkaRecord]) -> None:
        """Insert `items` as unpublished rows and, on PostgreSQL, notify relays at commit."""
        if not items:
            return
        connection = await session.connection()
        await connection.execute(insert(OutboxMessage), [row_values(r) for r in items])
        if self._notify and connection.dialect.name == "postgresql":
            await connection.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
