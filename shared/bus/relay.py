"""The outbox relay: publishes committed outbox rows in order and marks them sent only
after the broker acknowledged them.

A crash between acknowledgement and marking republishes those rows; consumers drop the
duplicates by `source` + `id`. On PostgreSQL the rows are read `FOR UPDATE`, so a second
relay of the same service waits instead of publishing out of order. The relay sleeps until
its service commits outbox rows (`OutboxSignal`), with a slow poll as the safety net.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import col

from shared.bus.outage import Outage
from shared.bus.outbox import OutboxMessage, record_of
from shared.bus.topics import TopicNamespace
from shared.bus.wakeup import OutboxSignal
from shared.clock import utcnow
from shared.db.engine import SessionFactory

UNAVAILABLE = (KafkaError, OSError, OperationalError, InterfaceError, PoolTimeout)
_T = OutboxMessage.__table__  # type: ignore[attr-defined]


class OutboxRelay:
    """Moves outbox rows to Kafka, batch by batch."""

    def __init__(
        self,
        sessions: SessionFactory,
        producer: AIOKafkaProducer,
        *,
        signal: OutboxSignal | None = None,
        batch_size: int = 1000,
        poll_seconds: float = 1.0,
        retry_seconds: float = 1.0,
        gather_seconds: float = 0.005,
        namespace: TopicNamespace | None = None,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._signal = signal or OutboxSignal()
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._gather_seconds = gather_seconds
        self._names = namespace or TopicNamespace()

    async def publish_batch(self) -> int:
        """Publish the oldest unsent rows; return how many were published."""
        async with self._sessions() as session:
            query = (
                select(_T.c.seq, _T.c.topic, _T.c.key, _T.c.value, _T.c.headers)
                .where(_T.c.published_at.is_(None))
                .order_by(_T.c.seq)
                .limit(self._batch_size)
                .with_for_update()
            )
            connection = await session.connection()
            rows = (await connection.execute(query)).all()
            if not rows:
                await session.rollback()
                return 0
            await self._send_all(rows)
            sent = [row.seq for row in rows]
            await connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.seq).in_(sent))
                .values(published_at=utcnow())
            )
            await session.commit()
            return len(rows)

    async def _send_all(self, rows: Sequence[Any]) -> None:
        # Enqueue all first, then wait: the idempotent producer keeps per-partition order.
        pending = []
        for row in rows:
            record = record_of(row.topic, row.key, row.value, row.headers)
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

        After reading less than a full batch the relay sleeps until its service commits
        outbox rows, or for `poll_seconds` at most (rows committed by a process whose signal
        cannot reach it); woken, it lets the commits of a burst gather for `gather_seconds`
        so that one read, one send and one update carry them all.
        """
        outage = Outage("relay")
        while not stop.is_set():
            self._signal.clear()
            try:
                published = await self.publish_batch()
            except UNAVAILABLE as error:
                outage.began(error)
                await _wait_for(stop, self._retry_seconds)
                continue
            outage.ended()
            if published < self._batch_size:
                await _first_of(stop, self._signal, self._poll_seconds)
                await asyncio.sleep(self._gather_seconds)


async def _wait_for(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return


async def _first_of(stop: asyncio.Event, signal: OutboxSignal, seconds: float) -> None:
    stopping = asyncio.ensure_future(stop.wait())
    waking = asyncio.ensure_future(signal.wait(seconds))
    try:
        await asyncio.wait({stopping, waking}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        waking.cancel()
