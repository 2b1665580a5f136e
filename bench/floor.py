"""The floor under Heard's figures: a raw aiokafka round trip and a raw PostgreSQL commit.

Same-sized messages, same broker, same database server, same run: the ratio of Heard's
latencies to these says what the pipeline itself costs.
"""

from __future__ import annotations

import asyncio
import os
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.bus.topics import ensure_topics
from shared.db.engine import async_url
from shared.ids import new_id


async def kafka_round_trips(bootstrap: str, n: int, size: int) -> list[float]:
    """Seconds from `send` (acks=all, idempotent) to the consumer seeing each message."""
    topic = f"bench-floor-{new_id().hex[-8:]}"
    await ensure_topics(bootstrap, [topic], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    await consumer.seek_to_end(partition)
    payload = os.urandom(size)
    samples: list[float] = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            await producer.send_and_wait(topic, payload)
            await consumer.getone()
            samples.append(time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()
    return samples


async def postgres_commits(database_url: str, n: int, size: int) -> list[float]:
    """Seconds for one INSERT of `size` bytes plus its COMMIT, `n` times."""
    engine = create_async_engine(async_url(database_url))
    table = f"bench_floor_{new_id().hex[-8:]}"
    insert = text(f"INSERT INTO {table} (v) VALUES (:v)")  # noqa: S608 - name generated here
    payload = os.urandom(size)
    samples: list[float] = []
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"CREATE TABLE {table} (id serial primary key, v bytea)"))
        for _ in range(n):
            started = time.perf_counter()
            async with engine.begin() as connection:
                await connection.execute(insert, {"v": payload})
            samples.append(time.perf_counter() - started)
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {table}"))
    finally:
        await engine.dispose()
    return samples


def run_floor(
    bootstrap: str, database_url: str, n: int, size: int
) -> tuple[list[float], list[float]]:
    """Both floors, one after the other."""

    async def both() -> tuple[list[float], list[float]]:
        return await kafka_round_trips(bootstrap, n, size), await postgres_commits(
            database_url, n, size
        )

    return asyncio.run(both())
