"""Plain Kafka reads and writes for tests: no decryption, no Heard code in the way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.events.record import KafkaRecord


async def produce(bootstrap: str, topic: str, records: Sequence[KafkaRecord]) -> None:
    """Publish `records` to `topic` as they are (headers and bytes untouched)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for r in records:
            await producer.send_and_wait(topic, value=r.value, key=r.key, headers=r.headers)
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, *, idle_seconds: float = 1.0
) -> list[ConsumerRecord]:
    """Every record currently in `topic`, read without a group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in partitions]
        if not assigned:
            return []
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[ConsumerRecord] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=int(idle_seconds * 1000))
            records.extend(r for rs in batch.values() for r in rs)
        return records
    finally:
        await consumer.stop()


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, within: float = 30.0, interval: float = 0.1
) -> None:
    """Await `check()` until it is true; TimeoutError when `within` seconds pass first."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if await check():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(interval)
