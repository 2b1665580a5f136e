"""Batch apply and the relay's wake-up on a real Kafka broker and a real PostgreSQL server.

- a rebalance in the middle of batches (a second member joins, then the first leaves) while a
  handler that is not idempotent by itself appends a row per run: every event applied once;
- a relay with its own connection is woken by PostgreSQL's NOTIFY of a committed outbox row
  without waiting for its poll, and never publishes a rolled-back one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import Field, SQLModel, select

from shared.bus.inbox import InboxEntry
from shared.bus.kafka import make_producer
from shared.bus.relay import OutboxRelay
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.bus.wakeup import listen_for_commits
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.uow import UnitOfWork
from shared.events.codec import EventCodec, Inbound
from shared.events.contracts import ComplaintSubmitted
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from shared.settings import ServiceSettings
from tests.support.events import submitted
from tests.support.kafka_io import produce, read_all, wait_for

pytestmark = pytest.mark.integration

TABLE = "heard_test_rebalance_applied"


class RebalanceApplied(SQLModel, table=True):
    """One row per handler run."""

    __tablename__ = TABLE

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(max_length=64)


async def append_slowly(message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
    """Not idempotent by itself; slow enough that batches are still running at a rebalance."""
    uow.session.add(RebalanceApplied(complaint_id=str(message.data.complaint_id)))
    await asyncio.sleep(0.002)


MEMBER: Service[ServiceSettings] = Service(
    name="triage",
    settings=ServiceSettings,
    migrations=Path("."),
    create_app=lambda _settings: FastAPI(),
    handlers={ComplaintSubmitted: append_slowly},
)


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


async def _count(runtime: Runtime, table: type[SQLModel]) -> int:
    async with runtime.sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def _schema(runtime: Runtime) -> None:
    tables = [SQLModel.metadata.tables[t] for t in (TABLE, "heard_inbox", "heard_outbox")]
    async with runtime.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=tables)


async def test_a_rebalance_in_the_middle_of_batches_applies_every_event_once(
    kafka_bootstrap: str, database_url: str, keyring: FileKeyring
) -> None:
    prefix = f"r{new_id().hex[-10:]}."
    names = TopicNamespace(prefix)
    await ensure_topics(kafka_bootstrap, namespace=names)
    settings = ServiceSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=prefix,
    )
    codec = EventCodec(keyring, "intake")
    events = [submitted() for _ in range(600)]
    records = [codec.encode(e, subject=str(e.complaint_id)) for e in events]
    await produce(kafka_bootstrap, names.physical("complaints"), records)
    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(open_runtime("triage", settings, keyring))
        second = await stack.enter_async_context(open_runtime("triage", settings, keyring))
        await _schema(first)
        first_member = asyncio.create_task(run_consumer(MEMBER, first, first_stop))
        await wait_for(_at_least(first, 50), within=60)
        second_member = asyncio.create_task(run_consumer(MEMBER, second, second_stop))
        await wait_for(_at_least(first, 300), within=60)
        first_stop.set()  # the first member leaves: its partitions move again
        await asyncio.wait_for(first_member, timeout=30)
        await wait_for(_inbox_has(second, 600), within=90)
        await asyncio.sleep(2)  # a late replay would show up as extra rows
        second_stop.set()
        await asyncio.wait_for(second_member, timeout=30)
        assert await _count(second, RebalanceApplied) == 600


def _at_least(runtime: Runtime, n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await _count(runtime, RebalanceApplied) >= n

    return check


def _inbox_has(runtime: Runtime, n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await _count(runtime, InboxEntry) >= n

    return check


@pytest.fixture
async def two_runtimes(
    database_url: str, keyring: FileKeyring
) -> AsyncIterator[tuple[Runtime, Runtime]]:
    settings = ServiceSettings(database_url=database_url)
    async with (
        open_runtime("intake", settings, keyring) as writer,
        open_runtime("intake", settings, keyring) as relaying,
    ):
        await _schema(writer)
        yield writer, relaying


async def test_a_relay_elsewhere_is_woken_by_notify_and_never_sends_a_rollback(
    kafka_bootstrap: str, two_runtimes: tuple[Runtime, Runtime]
) -> None:
    writer, relaying = two_runtimes
    names = TopicNamespace(f"w{new_id().hex[-10:]}.")
    await ensure_topics(kafka_bootstrap, namespace=names)
    producer = make_producer(kafka_bootstrap, "test-relay")
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(
        relaying.sessions,
        producer,
        signal=relaying.outbox_signal,
        poll_seconds=120,  # only NOTIFY can wake it within the test
        namespace=names,
    )
    listening = asyncio.create_task(
        listen_for_commits(relaying.settings.database_url, relaying.outbox_signal, stop)
    )
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(1.0)  # the relay has read the empty outbox and sleeps
        async with writer.uow() as uow:
            uow.emit(submitted(), subject="rolled-back")
        kept = submitted()
        async with writer.uow() as uow:
            uow.emit(kept, subject=str(kept.complaint_id))
            await uow.commit()
        topic = names.physical("complaints")

        async def published() -> bool:
            return len(await read_all(kafka_bootstrap, topic)) >= 1

        await wait_for(published, within=10)
        await asyncio.sleep(1.0)
        keys = [r.key for r in await read_all(kafka_bootstrap, topic)]  # the broker's record
        assert keys == [str(kept.complaint_id).encode()]
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(running, listening), timeout=30)
        await producer.stop()
