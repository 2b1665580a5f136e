"""The outbox relay: publishes committed outbox rows in order and marks them sent only
after the broker acknowledged them.

A crash between acknowledgement and marking republishes those rows; consumers drop the
duplicates by `source` + `id`. On PostgreSQL the rows are read `FOR UPDATE`, so a second
relay of the same service waits instead of publishing out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import update
from sqlmodel import col, select

from shared.bus.outbox import OutboxMessage
from shared.bus.topics import TopicNamespace
from shared.clock import utcnow
from shared.db.engine import SessionFactory

log = logging.getLogger("heard.relay")


class OutboxRelay:
    """Moves outbox rows to Kafka, batch by batch."""

    def __init__(
        self,
        sessions: SessionFactory,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.01,
        max_idle_seconds: float = 0.25,
        retry_seconds: float = 1.0,
        namespace: TopicNamespace | None = None,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._max_idle_seconds = max_idle_seconds
        self._retry_seconds = retry_seconds
        self._names = namespace or TopicNamespace()

    async def publish_batch(self) -> int:
        """Publish the oldest unsent rows; return how many were published."""
        async with self._sessions() as session:
            query = (
                select(OutboxMessage)
                .where(col(OutboxMessage.published_at).is_(None))
                .order_by(col(OutboxMessage.seq))
                .limit(self._batch_size)
                .with_for_update()
            )
            rows = list((await session.exec(query)).all())
            if not rows:
                await session.rollback()
                return 0
            await self._send_all(rows)
            sent = [r.seq for r in rows]
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.seq).in_(sent))
                .values(published_at=utcnow())
            )
            await session.commit()
            return len(rows)

    async def _send_all(self, rows: list[OutboxMessage]) -> None:
        # Enqueue all first, then wait: the idempotent producer keeps per-partition order.
        pending = []
        for row in rows:
            record = row.to_record()
            pending.append(
                await self._producer.send(
                    self._names.physical(record.topic),
                    value=record.value,
                    key=record.key,
                    headers=record.headers,
                )
            )
        await asyncio.gather(*pending)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; broker or database trouble means wait and retry.

        An empty outbox is polled again after `idle_seconds`, doubling while it stays empty up
        to `max_idle_seconds`: a quiet service costs its database almost nothing, and the
        first row after a lull waits at most `max_idle_seconds`.
        """
        idle = self._idle_seconds
        while not stop.is_set():
            try:
                published = await self.publish_batch()
            except (KafkaError, OSError) as error:
                log.warning("relay cannot publish yet: %s", type(error).__name__)
                published = 0
                await _sleep_unless(stop, self._retry_seconds)
            if published:
                idle = self._idle_seconds
            else:
                await _sleep_unless(stop, idle)
                idle = min(idle * 2, self._max_idle_seconds)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
