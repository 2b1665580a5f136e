"""The consumer loop: apply each poll batch once, in one transaction, then commit its offsets.

Per poll (every partition's records, each partition's in order): prepare every record
(reject -> DLQ); one transaction that looks the whole batch up in the inbox with one query,
runs the service's prefetch and the handlers of the records not seen before
(the first of any duplicates inside the batch), writes their inbox rows and every deferred
row (outbox, audit leaves) in bulk, and commits; then the dead letters; then, after the poll,
the Kafka offsets. A crash anywhere replays records from the last committed offset and the
inbox turns the replays into no-ops.

A handler that fails sends the batch down the slow path: the transaction is rolled back and
the batch applied again with a savepoint per record, so only the failing record is retried
(with backoff) and finally dead-lettered while the others commit once. Database or broker
outages are waited out: the batch is retried whole, and the outage is logged when it starts
and when it ends, not once per retry.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.inbox import InboxRecords, already_processed
from shared.bus.outage import Outage
from shared.bus.processing import Accepted, RecordProcessor
from shared.bus.topics import TopicNamespace, is_dlq_topic
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.errors import EventRejected, HandlerFailed, KeyNotYetKnown, MalformedEnvelope
from shared.telemetry import context_from_traceparent, tracer

log = logging.getLogger("heard.consumer")

# Failures of the infrastructure, not of the record: wait and try the same batch again.
TRANSIENT = (OperationalError, InterfaceError, PoolTimeout, KafkaError, OSError, KeyNotYetKnown)
T = TypeVar("T")


def _origin(record: ConsumerRecord) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


class ConsumerStopped(Exception):
    """Raised inside the loop when shutdown interrupts a retry."""


class _InboxRace(Exception):
    """Another member applied part of the batch first (a rebalance): look it up again."""


class BatchSource(Protocol):
    """Where batches come from and offsets go: an `AIOKafkaConsumer`, or a fake in tests."""

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord]]:
        """The records fetched since the last call, per partition."""
        ...

    async def commit(self, offsets: dict[TopicPartition, int] | None = None) -> None:
        """Commit the group's offsets."""
        ...


@dataclass
class ConsumerCounts:
    """What a consumer did since it started: applied, skipped as seen, dead-lettered."""

    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0


@dataclass(frozen=True)
class _Pending:
    record: ConsumerRecord
    accepted: Accepted


Rejections = list[tuple[ConsumerRecord, EventRejected]]


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: EventConsumer) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._loop.commit_done()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class EventConsumer:
    """Runs one consumer group member until stopped."""

    def __init__(
        self,
        source: BatchSource,
        processor: RecordProcessor,
        uow: UnitOfWorkFactory,
        dead_letters: DeadLetterWriter,
        *,
        name: str,
        max_attempts: int = 3,
        retry_seconds: float = 0.5,
        namespace: TopicNamespace | None = None,
    ) -> None:
        self._source = source
        self._processor = processor
        self._uow = uow
        self._dead_letters = dead_letters
        self._inbox = InboxRecords(name)
        self.name = name
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._names = namespace or TopicNamespace()
        self._done: dict[TopicPartition, int] = {}
        self._stop = asyncio.Event()
        self.counts = ConsumerCounts()

    def rebalance_listener(self) -> ConsumerRebalanceListener:
        """Pass to `consumer.subscribe(listener=...)` so revoked work is committed first."""
        return _CommitOnRevoke(self)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, committing what was applied before returning."""
        self._stop = stop
        try:
            while not stop.is_set():
                batches = await self._source.getmany(timeout_ms=200)
                # One transaction for the whole poll, every partition's records in their own
                # order: a service reading many partitions (audit reads them all) would
                # otherwise commit once per partition, often for a single record.
                polled = [self._logical(r) for records in batches.values() for r in records]
                if polled:
                    await self.apply_batch(polled)
                for partition, records in batches.items():
                    self._done[partition] = records[-1].offset + 1
                await self.commit_done()
        except ConsumerStopped:
            pass
        finally:
            await self.commit_done()

    async def commit_done(self) -> None:
        """Commit the offsets of every batch applied so far."""
        if not self._done:
            return
        done, self._done = self._done, {}
        try:
            await self._source.commit(done)
        except (CommitFailedError, IllegalStateError) as error:
            # Lost the partitions in a rebalance: the new owner replays, the inbox dedupes.
            log.info("offset commit skipped: %s", type(error).__name__)

    async def apply_batch(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply one poll's records (logical topics) once; dead-letter the refused."""
        pending, rejected = await self._retrying(partial(self._prepare_all, records))
        failed: Rejections = []
        if pending:
            failed = await self._retrying(partial(self._apply_checked, pending, [False]))
        for record, rejection in [*rejected, *failed]:
            await self._dead_letter(record, rejection)
        self.counts.dead_lettered += len(rejected) + len(failed)

    def _logical(self, record: ConsumerRecord) -> ConsumerRecord:
        return dataclasses.replace(record, topic=self._names.logical(record.topic))

    async def _prepare_all(
        self, records: Sequence[ConsumerRecord]
    ) -> tuple[list[_Pending], Rejections]:
        pending: list[_Pending] = []
        rejected: Rejections = []
        for record in records:
            try:
                accepted = self._prepare(record)
            except EventRejected as rejection:
                rejected.append((record, rejection))
                continue
            if accepted is not None:
                pending.append(_Pending(record, accepted))
        return pending, rejected

    def _prepare(self, record: ConsumerRecord) -> Accepted | None:
        if record.value is None:
            raise MalformedEnvelope("record has no value")
        try:
            return self._processor.prepare(record)
        except (EventRejected, *TRANSIENT):
            raise
        except Exception as error:  # whatever the bytes were, they must not stop the loop
            raise MalformedEnvelope(f"unparsable record ({type(error).__name__})") from None

    async def _apply_checked(self, pending: list[_Pending], isolate: list[bool]) -> Rejections:
        try:
            return await self._apply(pending, isolate=isolate[0])
        except IntegrityError:
            # Another member applied part of the batch (a rebalance), or a row conflicts for
            # another reason: apply again record by record, where a conflict is attributable.
            isolate[0] = True
            raise _InboxRace from None

    async def _apply(self, pending: list[_Pending], *, isolate: bool) -> Rejections:
        async with self._uow() as uow:
            keys = [p.accepted.dedupe_key for p in pending]
            todo = _first_unseen(pending, await already_processed(uow.session, self.name, keys))
            failed: Rejections = []
            if isolate:
                todo, failed = await self._apply_isolated(todo, uow)
            else:
                try:
                    await self._apply_all(todo, uow)
                except (*TRANSIENT, ConsumerStopped):
                    raise
                except Exception:  # a handler failed: find which, and apply the others once
                    await uow.session.rollback()
                    uow.rewind(0)
                    todo, failed = await self._apply_isolated(todo, uow)
            await uow.commit()
        self.counts.applied += len(todo)
        self.counts.duplicates += len(pending) - len(todo) - len(failed)
        return failed

    async def _apply_all(self, todo: list[_Pending], uow: UnitOfWork) -> None:
        # No autoflush between records: the rows every handler adds go out in one INSERT per
        # table at the end, not one per record. A handler sees rows that earlier records of the
        # batch loaded (the identity map) but not rows they added unless it flushes; a conflict
        # between them fails the flush and sends the batch down the per-record path.
        with uow.session.no_autoflush:
            await self._processor.prefetch([item.accepted for item in todo], uow)
            for item in todo:
                await self._traced(item, uow)
        await uow.session.flush()  # a handler's constraint violation is its own failure
        await self._inbox.write(uow.session, [item.accepted.dedupe_key for item in todo])

    async def _apply_isolated(
        self, todo: list[_Pending], uow: UnitOfWork
    ) -> tuple[list[_Pending], Rejections]:
        applied: list[_Pending] = []
        failed: Rejections = []
        for item in todo:
            if not await self._claim(item, uow):
                continue  # another member applied it meanwhile
            rejection = await self._apply_in_savepoint(item, uow)
            if rejection is None:
                applied.append(item)
            else:
                failed.append((item.record, rejection))
        return applied, failed

    async def _claim(self, item: _Pending, uow: UnitOfWork) -> bool:
        """Write the record's inbox row first, in a savepoint: False if it is there already."""
        try:
            async with uow.session.begin_nested():
                await self._inbox.write(uow.session, [item.accepted.dedupe_key])
        except IntegrityError:
            return False
        return True

    async def _apply_in_savepoint(self, item: _Pending, uow: UnitOfWork) -> EventRejected | None:
        delay = self._retry_seconds
        for attempt in range(1, self._max_attempts + 1):
            mark = uow.mark()
            try:
                async with uow.session.begin_nested():
                    await self._processor.prefetch([item.accepted], uow)
                    await self._traced(item, uow)
                return None
            except (*TRANSIENT, ConsumerStopped):
                raise
            except EventRejected as rejection:
                uow.rewind(mark)
                await self._unclaim(item, uow)
                return rejection
            except Exception as error:  # a handler bug must not stop the partition forever
                uow.rewind(mark)
                kind = type(error).__name__
                log.error("handler failed on %s: %s", item.accepted.event_type, kind)
                if attempt == self._max_attempts:
                    await self._unclaim(item, uow)
                    return HandlerFailed(kind)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        return None

    async def _unclaim(self, item: _Pending, uow: UnitOfWork) -> None:
        """A dead-lettered record is not applied: a redelivery must try it again."""
        await self._inbox.forget(uow.session, item.accepted.dedupe_key)

    async def _traced(self, item: _Pending, uow: UnitOfWork) -> None:
        accepted = item.accepted
        attributes = {
            "messaging.system": "kafka",
            "messaging.destination.name": item.record.topic,
            "messaging.message.id": accepted.event_id,
            "heard.event.type": accepted.event_type,
            "heard.consumer": self.name,
        }
        with tracer().start_as_current_span(
            f"consume {accepted.event_type}",
            context=context_from_traceparent(accepted.traceparent),
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ):
            await accepted.apply(uow)

    async def _dead_letter(self, record: ConsumerRecord, rejection: EventRejected) -> None:
        if is_dlq_topic(record.topic):
            # A dead letter that cannot be processed stays where it is: a `.dlq.dlq` topic
            # would only hide it further. It is logged and counted, and the loop goes on.
            self._dead_letters.count(rejection.reason)
            log.warning(
                "unprocessable dead letter left in place",
                extra={"reason": rejection.reason, "origin": _origin(record)},
            )
            return
        await self._retrying(partial(self._dead_letters.send, record, rejection))

    async def _retrying(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run `action`, waiting out database and broker outages until stopped."""
        outage = Outage(self.name)
        delay = self._retry_seconds
        while True:
            try:
                result = await action()
            except _InboxRace:
                log.info("%s: batch partly applied by another member; looking again", self.name)
            except TRANSIENT as error:
                outage.began(error)
            else:
                outage.ended()
                return result
            if self._stop.is_set():
                raise ConsumerStopped
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _first_unseen(pending: list[_Pending], seen: set[str]) -> list[_Pending]:
    todo: list[_Pending] = []
    keys = set(seen)
    for item in pending:
        if item.accepted.dedupe_key not in keys:
            keys.add(item.accepted.dedupe_key)
            todo.append(item)
    return todo
