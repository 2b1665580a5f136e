"""The transactional outbox: sealed records written in the same transaction as the state.

Rows are written by `OutboxRecords` in one multi-row INSERT per transaction (no ORM flush
per row). A row the broker can never take (too large for its topic, a topic that is not
Heard's, not authorised) is parked by the relay: `parked_at` and `park_reason` set, left
in place for an operator, and the rows after it go on. The relay reads the unpublished,
unparked rows through a partial index that holds only them. On PostgreSQL the same
transaction sends `NOTIFY heard_outbox`, which PostgreSQL delivers only if it commits: a
relay in another process wakes without polling.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection
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
    parked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    park_reason: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))

    def to_record(self) -> KafkaRecord:
        """The Kafka record this row holds."""
        return record_of(self.topic, self.key, self.value, self.headers)


UNPUBLISHED_INDEX = "ix_heard_outbox_unpublished"
# The rows still to publish: a partial index stays as small as the relay's backlog.
UNPUBLISHED = text("published_at IS NULL AND parked_at IS NULL")
Index(
    UNPUBLISHED_INDEX,
    OutboxMessage.__table__.c.seq,  # type: ignore[attr-defined]
    postgresql_where=UNPUBLISHED,
    sqlite_where=UNPUBLISHED,
)

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


async def count_parked(connection: AsyncConnection) -> int:
    """How many outbox rows are parked (an operator must look at them)."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    query = select(func.count()).select_from(table).where(table.c.parked_at.is_not(None))
    return int((await connection.execute(query)).scalar_one())


async def purge_published(connection: AsyncConnection, before: datetime, chunk: int) -> int:
    """Delete up to `chunk` rows published before `before`; how many went (parked rows stay)."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    old = select(table.c.seq).where(table.c.published_at < before).limit(chunk)
    result = await connection.execute(delete(table).where(table.c.seq.in_(old.scalar_subquery())))
    return int(result.rowcount or 0)
