"""The bare pipeline: Heard's four hops with nothing but aiokafka and psycopg, the ceiling.

    python -m bench.bare --bootstrap HOST:PORT --dsn postgresql://... --complaints 20000

Same hops as Heard (intake inserts and produces; triage and casework consume, insert and
produce; intake's read model consumes and updates; audit consumes all three topics and
inserts), each stage its own process, batch per poll, inbox by primary key, offsets after the
database commit. No HTTP, no crypto, no ORM, no outbox. Its throughput through every hop,
on the same machine, broker and server, is what Heard's is measured against.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from shared.bus.topics import ensure_topics

PAYLOAD_BYTES = 750
SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_complaint (id uuid PRIMARY KEY, body bytea, status text);
CREATE TABLE IF NOT EXISTS bare_decision (id uuid PRIMARY KEY, body bytea);
CREATE TABLE IF NOT EXISTS bare_case (id uuid PRIMARY KEY, body bytea);
CREATE TABLE IF NOT EXISTS bare_audit (pos bigserial PRIMARY KEY, topic text, key uuid);
CREATE TABLE IF NOT EXISTS bare_inbox (consumer text, key text, PRIMARY KEY (consumer, key));
"""


def _key(record: ConsumerRecord) -> uuid.UUID:
    return uuid.UUID(bytes(record.key).decode())


def _keyed_body(record: ConsumerRecord) -> tuple[object, ...]:
    return _key(record), record.value


def _keyed(record: ConsumerRecord) -> tuple[object, ...]:
    return (_key(record),)


def _topic_keyed(record: ConsumerRecord) -> tuple[object, ...]:
    return record.topic, _key(record)


@dataclass(frozen=True)
class Stage:
    """One consuming hop: what it reads, the row it writes (and from what), what it produces."""

    name: str
    reads: tuple[str, ...]
    write: str
    row: Callable[[ConsumerRecord], tuple[object, ...]]
    produces: str | None


STAGES = {
    "triage": Stage(
        "triage",
        ("complaints",),
        "INSERT INTO bare_decision (id, body) VALUES (%s, %s)",
        _keyed_body,
        "triage",
    ),
    "casework": Stage(
        "casework",
        ("triage",),
        "INSERT INTO bare_case (id, body) VALUES (%s, %s)",
        _keyed_body,
        "cases",
    ),
    "readmodel": Stage(
        "readmodel",
        ("cases",),
        "UPDATE bare_complaint SET status = 'opened' WHERE id = %s",
        _keyed,
        None,
    ),
    "audit": Stage(
        "audit",
        ("complaints", "triage", "cases"),
        "INSERT INTO bare_audit (topic, key) VALUES (%s, %s)",
        _topic_keyed,
        None,
    ),
}


async def run_stage(stage: Stage, bootstrap: str, dsn: str, prefix: str) -> None:
    """Consume, apply a poll batch per transaction with an inbox, produce, commit offsets."""
    consumer = AIOKafkaConsumer(
        *(prefix + t for t in stage.reads),
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}{stage.name}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2
    )
    await consumer.start()
    await producer.start()
    async with await psycopg.AsyncConnection.connect(dsn) as db:
        while True:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                fresh = await _apply(db, stage, records)
                if stage.produces is not None:
                    sent = [
                        await producer.send(prefix + stage.produces, r.value, key=r.key)
                        for r in fresh
                    ]
                    await asyncio.gather(*sent)
            await consumer.commit()


async def _apply(
    db: psycopg.AsyncConnection[tuple[object, ...]], stage: Stage, records: list[ConsumerRecord]
) -> list[ConsumerRecord]:
    keys = [f"{r.topic}/{_key(r)}" for r in records]
    async with db.transaction(), db.cursor() as cursor:
        await cursor.execute(
            "SELECT key FROM bare_inbox WHERE consumer = %s AND key = ANY(%s)", (stage.name, keys)
        )
        seen = {row[0] for row in await cursor.fetchall()}
        fresh = [r for r, k in zip(records, keys, strict=True) if k not in seen]
        if fresh:
            await cursor.executemany(stage.write, [stage.row(r) for r in fresh])
            await cursor.executemany(
                "INSERT INTO bare_inbox VALUES (%s, %s)",
                [(stage.name, f"{r.topic}/{_key(r)}") for r in fresh],
            )
    return fresh


async def load(bootstrap: str, dsn: str, prefix: str, count: int) -> None:
    """Intake's hop, as fast as it goes: insert and produce, 100 complaints per transaction."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2
    )
    await producer.start()
    payload = os.urandom(PAYLOAD_BYTES)
    async with await psycopg.AsyncConnection.connect(dsn) as db:
        for start in range(0, count, 100):
            ids = [uuid.uuid4() for _ in range(min(100, count - start))]
            async with db.transaction(), db.cursor() as cursor:
                await cursor.executemany(
                    "INSERT INTO bare_complaint VALUES (%s, %s, 'received')",
                    [(i, payload) for i in ids],
                )
            topic = prefix + "complaints"
            sent = [await producer.send(topic, payload, key=str(i).encode()) for i in ids]
            await asyncio.gather(*sent)
    await producer.stop()


async def _done(dsn: str) -> tuple[int, int]:
    async with await psycopg.AsyncConnection.connect(dsn) as db, db.cursor() as cursor:
        await cursor.execute("SELECT count(*) FROM bare_complaint WHERE status = 'opened'")
        opened = (await cursor.fetchone() or (0,))[0]
        await cursor.execute("SELECT count(*) FROM bare_audit")
        audited = (await cursor.fetchone() or (0,))[0]
    return opened, audited


async def _prepare(bootstrap: str, dsn: str, prefix: str) -> None:
    await ensure_topics(bootstrap, [prefix + t for t in ("complaints", "triage", "cases")])
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as db:
        await db.execute(SCHEMA)


def measure(bootstrap: str, dsn: str, count: int) -> float:
    """Run the bare pipeline over `count` complaints; complaints per second through every hop."""
    prefix = f"bare{uuid.uuid4().hex[:8]}."
    asyncio.run(_prepare(bootstrap, dsn, prefix))
    common = ["--bootstrap", bootstrap, "--dsn", dsn, "--prefix", prefix]
    stages = [
        subprocess.Popen([sys.executable, "-m", "bench.bare", "--stage", s, *common])
        for s in STAGES
    ]
    try:
        started = time.monotonic()
        asyncio.run(load(bootstrap, dsn, prefix, count))
        while asyncio.run(_done(dsn)) != (count, 3 * count):
            time.sleep(0.2)
        return count / (time.monotonic() - started)
    finally:
        for process in stages:
            process.kill()
            process.wait()


def main() -> None:
    """A stage process (`--stage`), or a whole measurement."""
    parser = argparse.ArgumentParser(prog="python -m bench.bare", description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--dsn", required=True, help="libpq URL of an empty database")
    parser.add_argument("--stage", choices=sorted(STAGES))
    parser.add_argument("--prefix", default="")
    parser.add_argument("--complaints", type=int, default=20000)
    args = parser.parse_args()
    if args.stage:
        asyncio.run(run_stage(STAGES[args.stage], args.bootstrap, args.dsn, args.prefix))
        return
    rate = measure(args.bootstrap, args.dsn, args.complaints)
    print(f"bare pipeline: {args.complaints} complaints through every hop at {rate:.0f}/s")


if __name__ == "__main__":
    main()
