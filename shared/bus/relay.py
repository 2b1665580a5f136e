"""The outbox relay: publishes committed outbox rows in order and marks them sent only
after the broker acknowledged them.

A crash between acknowledgement and marking republishes those rows; consumers drop the
duplicates by `source` + `id`. On PostgreSQL the rows are read `FOR UPDATE`, so a second
relay of the same service waits instead of publishing out of order. The relay sleeps until
its service commits outbox rows (`OutboxSignal`), with a slow poll as the safety net.

A row that fails is sent once more alone, in order, on a renewed producer (a batch-mate's
size may have sunk it, or an earlier refusal broken the producer's sequence numbers). If the
broker refuses it again for good (too large for its topic, not authorised, a topic that is
not Heard's), it is parked with its reason, logged as an error and counted (`heard status`
shows parked rows), and the rows after it go on. The producer replaces itself after such
a failure (shared.bus.producer). Now and then the relay also purges published outbox rows
and inbox rows older than the service's retention windows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiokafka.errors import (
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from shared.bus.inbox import purge_processed
from shared.bus.outage import Outage
from shared.bus.outbox import OutboxMessage, purge_published, record_of
from shared.bus.producer import Producer
from shared.bus.topics import TopicNamespace
from shared.bus.wakeup import OutboxSignal
from shared.clock import utcnow
from shared.db.engine import SessionFactory
from shared.db.outages import DATABASE_UNAVAILABLE
from shared.events.contracts import TOPICS
from shared.events.record import KafkaRecord
from shared.settings import ServiceSettings

log = logging.getLogger("heard.relay")

UNAVAILABLE = (KafkaError, *DATABASE_UNAVAILABLE)
_T = OutboxMessage.__table__  # type: ignore[attr-defined]

# Refusals that no retry will change: the row is parked with the reason on the right.
NEVER_PUBLISHABLE: dict[type[Exception], str] = {
    MessageSizeTooLargeError: "too-large",
    RecordTooLargeError: "too-large",
    RecordListTooLargeError: "too-large",
    TopicAuthorizationFailedError: "not-authorised",
    InvalidTopicError: "unknown-topic",
}


class _Unpublishable(Exception):
    """A row that can never be published, before the broker is even asked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def park_reason(error: BaseException) -> str | None:
    """Why a row that failed with `error` can never be published; None if it may yet be."""
    if isinstance(error, _Unpublishable):
        return error.reason
    return next((r for kind, r in NEVER_PUBLISHABLE.items() if isinstance(error, kind)), None)


@dataclass(frozen=True)
class Retention:
    """How long published outbox rows and inbox rows are kept, and how often to purge."""

    outbox: timedelta = timedelta(days=7)
    inbox: timedelta = timedelta(days=90)
    every_seconds: float = 3600.0
    chunk: int = 5000

    @classmethod
    def of(cls, settings: ServiceSettings) -> Retention:
        """The retention windows of `settings`."""
        return cls(
            outbox=timedelta(days=settings.outbox_retention_days),
            inbox=timedelta(days=settings.inbox_retention_days),
        )


@dataclass
class RelayCounts:
    """What a relay did since it started: rows published and rows parked."""

    published: int = 0
    parked: int = 0
    parked_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class _Outcome:
    published: list[int] = field(default_factory=list)
    parked: list[tuple[Any, str]] = field(default_factory=list)
    interrupted: BaseException | None = None


class OutboxRelay:
    """Moves outbox rows to Kafka, batch by batch."""

    def __init__(
        self,
        sessions: SessionFactory,
        producer: Producer,
        *,
        signal: OutboxSignal | None = None,
        batch_size: int = 1000,
        poll_seconds: float = 1.0,
        retry_seconds: float = 1.0,
        gather_seconds: float = 0.005,
        namespace: TopicNamespace | None = None,
        retention: Retention | None = None,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._signal = signal or OutboxSignal()
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._gather_seconds = gather_seconds
        self._names = namespace or TopicNamespace()
        self._retention = retention or Retention()
        self._purged_at = 0.0
        self.counts = RelayCounts()

    async def publish_batch(self) -> int:
        """Publish (or park) the oldest waiting rows; return how many were done with."""
        async with self._sessions() as session:
            query = (
                select(_T.c.seq, _T.c.topic, _T.c.key, _T.c.value, _T.c.headers)
                .where(_T.c.published_at.is_(None), _T.c.parked_at.is_(None))
                .order_by(_T.c.seq)
                .limit(self._batch_size)
                .with_for_update()
            )
            connection = await session.connection()
            rows = (await connection.execute(query)).all()
            if not rows:
                await session.rollback()
                return 0
            outcome = await self._publish(rows)
            await self._record(connection, outcome)
            await session.commit()
        self._alert(outcome)
        if outcome.interrupted is not None:
            raise outcome.interrupted  # what was done is committed; the rest waits
        return len(outcome.published) + len(outcome.parked)

    async def _publish(self, rows: Sequence[Any]) -> _Outcome:
        failures = await self._send_all(rows)
        outcome = _Outcome(
            [row.seq for row, failed in zip(rows, failures, strict=True) if not failed]
        )
        for row, failure in zip(rows, failures, strict=True):
            if failure is None:
                continue
            # Alone, once more, on a renewed producer: a batch-mate may have sunk it (a batch
            # over the size limit), or an earlier refusal broken the producer's sequence.
            try:
                await self._send(row)
            except Exception as error:
                reason = park_reason(error)
                if reason is None:
                    outcome.interrupted = error
                    break
                outcome.parked.append((row, reason))
            else:
                outcome.published.append(row.seq)
        return outcome

    async def _send_all(self, rows: Sequence[Any]) -> list[BaseException | None]:
        # Enqueue all first, then wait: the idempotent producer keeps per-partition order.
        pending: list[asyncio.Future[Any] | BaseException] = []
        for row in rows:
            try:
                pending.append(await self._enqueue(row))
            except Exception as error:
                if park_reason(error) is None:
                    raise
                pending.append(error)
        futures = [p for p in pending if isinstance(p, asyncio.Future)]
        results = iter(await asyncio.gather(*futures, return_exceptions=True))
        return [p if isinstance(p, BaseException) else _failure(next(results)) for p in pending]

    async def _send(self, row: Any) -> None:
        await (await self._enqueue(row))

    async def _enqueue(self, row: Any) -> asyncio.Future[Any]:
        record = _record(row)
        return await self._producer.send(
            self._names.physical(record.topic),
            value=record.value,
            key=record.key,
            headers=record.headers,
        )

    async def _record(self, connection: AsyncConnection, outcome: _Outcome) -> None:
        now = utcnow()
        if outcome.published:
            await connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.seq).in_(outcome.published))
                .values(published_at=now)
            )
        for row, reason in outcome.parked:
            await connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.seq) == row.seq)
                .values(parked_at=now, park_reason=reason)
            )

    def _alert(self, outcome: _Outcome) -> None:
        self.counts.published += len(outcome.published)
        for row, reason in outcome.parked:
            self.counts.parked += 1
            self.counts.parked_reasons[reason] = self.counts.parked_reasons.get(reason, 0) + 1
            log.error(
                "outbox row parked: the broker will never take it; the rows after it go on",
                extra={"seq": row.seq, "topic": row.topic, "reason": reason},
            )

    async def purge(self) -> int:
        """Delete published outbox rows and inbox rows older than the retention windows."""
        now = utcnow()
        purged = 0
        for purge, keep in (
            (purge_published, self._retention.outbox),
            (purge_processed, self._retention.inbox),
        ):
            while True:
                async with self._sessions() as session:
                    connection = await session.connection()
                    gone = await purge(connection, now - keep, self._retention.chunk)
                    await session.commit()
                purged += gone
                if gone < self._retention.chunk:
                    break
        return purged

    async def _purge_when_due(self) -> None:
        if time.monotonic() - self._purged_at < self._retention.every_seconds:
            return
        self._purged_at = time.monotonic()
        purged = await self.purge()
        if purged:
            log.info("purged %d outbox and inbox rows past their retention", purged)

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
                await self._purge_when_due()
            except UNAVAILABLE as error:
                outage.began(error)
                await _wait_for(stop, self._retry_seconds)
                continue
            outage.ended()
            if published < self._batch_size:
                await _first_of(stop, self._signal, self._poll_seconds)
                await asyncio.sleep(self._gather_seconds)


def _record(row: Any) -> KafkaRecord:
    if row.topic not in TOPICS:
        raise _Unpublishable("unknown-topic")
    try:
        return record_of(row.topic, row.key, row.value, row.headers)
    except ValueError:  # bad JSON or base64 in the headers column
        raise _Unpublishable("unreadable-row") from None


def _failure(result: object) -> BaseException | None:
    return result if isinstance(result, BaseException) else None


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
