"""The transactional outbox: sealed records written in the same transaction as the state."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, Text
from sqlmodel import Field, SQLModel

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

    @classmethod
    def from_record(cls, record: KafkaRecord) -> OutboxMessage:
        """An unpublished outbox row holding `record`."""
        event_id = next((v.decode() for k, v in record.headers if k == "ce_id"), "")
        return cls(
            event_id=event_id,
            topic=record.topic,
            key=record.key,
            value=record.value,
            headers=json.dumps([[k, base64.b64encode(v).decode()] for k, v in record.headers]),
        )

    def to_record(self) -> KafkaRecord:
        """The Kafka record this row holds."""
        headers = [(k, base64.b64decode(v)) for k, v in json.loads(self.headers)]
        return KafkaRecord(topic=self.topic, key=self.key, value=self.value, headers=headers)
