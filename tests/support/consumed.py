"""Bus records as a consumer receives them, and the real consumer loop driven without Kafka.

`deliver` runs a service's real `EventConsumer` (its processor from the service declaration,
batch apply, inbox, dead letters, offsets) over batches from an in-memory source, like
faststream's test broker: tests exercise the production loop, not a copy of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.bus.consumer import ConsumerCounts, EventConsumer
from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.processing import RecordProcessor
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from shared.service import Service


def consumer_record(
    record: KafkaRecord,
    *,
    topic: str | None = None,
    headers: list[tuple[str, bytes]] | None = None,
    offset: int = 0,
    partition: int = 1,
) -> ConsumerRecord:
    """`record` as a consumer would receive it (logical topic), optionally altered."""
    key, value = record.key, record.value
    return ConsumerRecord(
        topic=topic or record.topic,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=headers if headers is not None else list(record.headers),
    )


class BatchesThenStop:
    """Kafka's side of the loop: the given poll batches, in order, then `stop`."""

    def __init__(self, polls: Sequence[Sequence[ConsumerRecord]], stop: asyncio.Event) -> None:
        self._polls = [list(p) for p in polls]
        self._stop = stop
        self.committed: list[dict[TopicPartition, int]] = []

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord]]:
        if not self._polls:
            self._stop.set()
            return {}
        batches: dict[TopicPartition, list[ConsumerRecord]] = {}
        for record in self._polls.pop(0):
            batches.setdefault(TopicPartition(record.topic, record.partition), []).append(record)
        return batches

    async def commit(self, offsets: dict[TopicPartition, int] | None = None) -> None:
        self.committed.append(dict(offsets or {}))


class Refusals:
    """The dead-letter producer's side: remembers what was refused instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[tuple[str, bytes]]]] = []

    async def send_and_wait(self, topic: str, **record: Any) -> None:
        self.sent.append((topic, record["headers"]))


@dataclass
class Delivery:
    """What one run of the consumer loop did."""

    counts: ConsumerCounts
    committed: list[dict[TopicPartition, int]]
    refused: list[tuple[str, list[tuple[str, bytes]]]] = field(default_factory=list)
    dead_letters: DeadLetterWriter | None = None

    def reasons(self) -> list[str]:
        """The `dlq_reason` of every refused record, in order."""
        return [dict(h)["dlq_reason"].decode() for _, h in self.refused]


async def deliver(
    runtime: Runtime,
    service: Service[Any],
    polls: Sequence[Sequence[ConsumerRecord]],
    *,
    name: str | None = None,
    retry_seconds: float = 0.0,
    processor: RecordProcessor | None = None,
) -> Delivery:
    """Run `service`'s real consumer loop over `polls` (each a list of records) until done;
    `processor` replaces the service's own (e.g. one holding fewer keys)."""
    processor = processor or service.record_processor(runtime)
    assert processor is not None, f"{service.name} consumes nothing"
    stop = asyncio.Event()
    source = BatchesThenStop(polls, stop)
    refusals = Refusals()
    signer = runtime.keyring.signing_key(service.name)
    dead_letters = DeadLetterWriter(refusals, name or service.name, signer=signer)
    loop = EventConsumer(
        source,
        processor,
        runtime.uow,
        dead_letters,
        name=name or service.name,
        retry_seconds=retry_seconds,
    )
    await loop.run(stop)
    return Delivery(loop.counts, source.committed, refusals.sent, dead_letters)


async def handle_record(runtime: Runtime, service: Service[Any], record: KafkaRecord) -> bool:
    """Deliver `record` to `service`'s consumer loop alone; True if it was applied."""
    delivery = await deliver(runtime, service, [[consumer_record(record)]])
    assert not delivery.refused, f"the record was dead-lettered: {delivery.reasons()}"
    return delivery.counts.applied == 1
