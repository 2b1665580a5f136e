"""The consumer loop: apply each record once, then commit its offset.

Per record: prepare (reject -> DLQ), then one transaction holding the handler's changes
and the inbox row, then, after the batch, the Kafka offset. A crash anywhere replays
records from the last committed offset and the inbox turns the replays into no-ops.
Database or broker outages are waited out; a handler that keeps failing on one record
sends that record to the DLQ so the partition moves on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.inbox import already_processed, record_processed
from shared.bus.processing import Accepted, RecordProcessor
from shared.bus.topics import TopicNamespace, is_dlq_topic
from shared.db.uow import UnitOfWorkFactory
from shared.errors import EventRejected, HandlerFailed, MalformedEnvelope
from shared.telemetry import context_from_traceparent, tracer

log = logging.getLogger("heard.consumer")

TRANSIENT = (OperationalError, InterfaceError, KafkaError, OSError)


def _origin(record: ConsumerRecord) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


class ConsumerStopped(Exception):
    """Raised inside the loop when shutdown interrupts a retry."""


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
        consumer: AIOKafkaConsumer,
        processor: RecordProcessor,
        uow: UnitOfWorkFactory,
        dead_letters: DeadLetterWriter,
        *,
        name: str,
        max_attempts: int = 3,
        retry_seconds: float = 0.5,
        namespace: TopicNamespace | None = None,
    ) -> None:
        self._consumer = consumer
        self._processor = processor
        self._uow = uow
        self._dead_letters = dead_letters
        self.name = name
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._names = namespace or TopicNamespace()
        self._done: dict[TopicPartition, int] = {}
        self._stop = asyncio.Event()

    def rebalance_listener(self) -> ConsumerRebalanceListener:
        """Pass to `consumer.subscribe(listener=...)` so revoked work is committed first."""
        return _CommitOnRevoke(self)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, committing what was applied before returning."""
        self._stop = stop
        try:
            while not stop.is_set():
                batches = await self._consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        await self._process(self._logical(record))
                        self._done[TopicPartition(record.topic, record.partition)] = (
                            record.offset + 1
                        )
                await self.commit_done()
        except ConsumerStopped:
            pass
        finally:
            await self.commit_done()

    async def commit_done(self) -> None:
        """Commit the offsets of every record applied so far."""
        if not self._done:
            return
        done, self._done = self._done, {}
        try:
            await self._consumer.commit(done)
        except (CommitFailedError, IllegalStateError) as error:
            # Lost the partitions in a rebalance: the new owner replays, the inbox dedupes.
            log.info("offset commit skipped: %s", type(error).__name__)

    def _logical(self, record: ConsumerRecord) -> ConsumerRecord:
        return dataclasses.replace(record, topic=self._names.logical(record.topic))

    def _prepare(self, record: ConsumerRecord) -> Accepted | None:
        if record.value is None:
            raise MalformedEnvelope("record has no value")
        try:
            return self._processor.prepare(record)
        except EventRejected:
            raise
        except Exception as error:  # whatever the bytes were, they must not stop the loop
            raise MalformedEnvelope(f"unparsable record ({type(error).__name__})") from None

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            accepted = self._prepare(record)
        except EventRejected as rejection:
            await self._dead_letter(record, rejection)
            return
        if accepted is None:
            return
        parent = context_from_traceparent(accepted.traceparent)
        attributes = {
            "messaging.system": "kafka",
            "messaging.destination.name": record.topic,
            "messaging.message.id": accepted.event_id,
            "heard.event.type": accepted.event_type,
            "heard.consumer": self.name,
        }
        with tracer().start_as_current_span(
            f"consume {accepted.event_type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ):
            await self._apply_with_retry(record, accepted)

    async def _apply_with_retry(self, record: ConsumerRecord, accepted: Accepted) -> None:
        failures = 0
        while True:
            try:
                await self._retrying(lambda: self._apply_once(accepted))
                return
            except EventRejected as rejection:
                await self._dead_letter(record, rejection)
                return
            except ConsumerStopped:
                raise
            except Exception as error:  # a handler bug must not stop the partition forever
                failures += 1
                log.error("handler failed on %s: %s", accepted.event_type, type(error).__name__)
                if failures >= self._max_attempts:
                    await self._dead_letter(record, HandlerFailed(type(error).__name__))
                    return

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

    async def _apply_once(self, accepted: Accepted) -> None:
        async with self._uow() as uow:
            if await already_processed(uow.session, self.name, accepted.dedupe_key):
                return
            await accepted.apply(uow)
            record_processed(uow.session, self.name, accepted.dedupe_key)
            try:
                await uow.commit()
            except IntegrityError:
                # A concurrent member applied it first (rebalance); otherwise re-raise.
                if not await self._seen(accepted):
                    raise

    async def _seen(self, accepted: Accepted) -> bool:
        async with self._uow() as uow:
            return await already_processed(uow.session, self.name, accepted.dedupe_key)

    async def _retrying(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action`, waiting out database and broker outages until stopped."""
        delay = self._retry_seconds
        while True:
            try:
                await action()
                return
            except TRANSIENT as error:
                log.warning("transient failure, retrying: %s", type(error).__name__)
            if self._stop.is_set():
                raise ConsumerStopped
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
