"""Batch apply through the real consumer loop, with a handler that is NOT idempotent itself.

The handler appends a row every time it runs and emits an event, so a broken inbox, a
double apply on the slow path or a failed record's leftover outbox rows all show up as
extra rows. Bad input tried: a duplicate inside a batch, a handler that raises, a handler
that rejects, a database error on the first try, a crash before the offset commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import event, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Field, SQLModel, select

from shared.bus.consumer import EventConsumer
from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.inbox import InboxEntry
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.db.uow import UnitOfWork
from shared.errors import InvalidEventData
from shared.events.codec import EventCodec, Inbound
from shared.events.contracts import ComplaintSubmitted, ComplaintTriaged
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from shared.settings import ServiceSettings
from tests.support.consumed import BatchesThenStop, Refusals, consumer_record, deliver
from tests.support.events import submitted

TABLE = "heard_test_applied_event"


class AppliedEvent(SQLModel, table=True):
    """One row per handler run: applying an event twice leaves two rows."""

    __tablename__ = TABLE

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(max_length=64)


class Flaky:
    """How the handler misbehaves: per narrative, and a database error on the first call."""

    database_errors = 0


async def record_and_emit(message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
    """Append a row and emit a decision; fail as the narrative asks."""
    complaint = message.data
    uow.session.add(AppliedEvent(complaint_id=str(complaint.complaint_id)))
    uow.emit(_triaged(complaint), subject=str(complaint.complaint_id))
    if Flaky.database_errors > 0:
        Flaky.database_errors -= 1
        raise OperationalError("SELECT 1", {}, ConnectionError("database restarting"))
    if complaint.narrative == "raise":
        raise RuntimeError("handler bug")
    if complaint.narrative == "reject":
        raise InvalidEventData("not something this handler can use")


def _triaged(complaint: ComplaintSubmitted) -> ComplaintTriaged:
    return ComplaintTriaged(
        complaint_id=complaint.complaint_id,
        triaged_at=complaint.submitted_at,
        category="other",
        urgency="standard",
        priority=4,
        queue="general",
        respond_by=complaint.submitted_at,
        rule_set="test",
    )


SERVICE: Service[ServiceSettings] = Service(
    name="triage",
    settings=ServiceSettings,
    migrations=Path("."),
    create_app=lambda _settings: FastAPI(),
    handlers={ComplaintSubmitted: record_and_emit},
)


@pytest.fixture
async def runtime(tmp_path: Path, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path / 'batch.db'}")
    Flaky.database_errors = 0
    async with open_runtime("triage", settings, keyring=keyring) as opened:
        tables = [SQLModel.metadata.tables[t] for t in (TABLE, "heard_inbox", "heard_outbox")]
        async with opened.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all, tables=tables)
        yield opened


def _records(codec: EventCodec, *narratives: str) -> list[ConsumerRecord]:
    return [
        consumer_record(codec.encode(e, subject=str(e.complaint_id)), offset=i)
        for i, e in enumerate(submitted(n) for n in narratives)
    ]


async def _count(runtime: Runtime, table: type[SQLModel]) -> int:
    async with runtime.sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def test_a_duplicate_inside_a_batch_is_applied_once(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    first, second = _records(intake_codec, "a", "b")
    again = consumer_record_at(first, offset=2)
    delivery = await deliver(runtime, SERVICE, [[first, second, again]])
    assert await _count(runtime, AppliedEvent) == 2
    assert await _count(runtime, OutboxMessage) == 2
    assert (delivery.counts.applied, delivery.counts.duplicates) == (2, 1)
    assert delivery.committed == [{TopicPartition("complaints", 1): 3}]


async def test_a_failing_record_alone_is_dead_lettered_and_the_others_commit_once(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    records = _records(intake_codec, "ok one", "raise", "ok two", "reject", "ok three")
    delivery = await deliver(runtime, SERVICE, [records])
    # The fast path ran the first record before the failure; it must not count twice.
    assert await _count(runtime, AppliedEvent) == 3
    assert await _count(runtime, InboxEntry) == 3
    assert await _count(runtime, OutboxMessage) == 3  # the failed records' events are gone
    assert delivery.reasons() == ["handler-failed", "invalid-data"]
    assert delivery.committed == [{TopicPartition("complaints", 1): 5}]


async def test_a_redelivered_batch_changes_nothing(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    records = _records(intake_codec, "a", "b", "c")
    await deliver(runtime, SERVICE, [records])
    replay = await deliver(runtime, SERVICE, [records])
    assert await _count(runtime, AppliedEvent) == 3
    assert await _count(runtime, OutboxMessage) == 3
    assert (replay.counts.applied, replay.counts.duplicates) == (0, 3)


async def test_a_database_error_retries_the_whole_batch_once_it_is_back(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    Flaky.database_errors = 1
    delivery = await deliver(runtime, SERVICE, [_records(intake_codec, "a", "b")])
    assert await _count(runtime, AppliedEvent) == 2
    assert not delivery.refused


class CrashBeforeOffsets(BatchesThenStop):
    """The process dies after the database commit and before Kafka has the offsets."""

    async def commit(self, offsets: dict[TopicPartition, int] | None = None) -> None:
        raise SystemExit("killed between the database commit and the offset commit")


async def test_a_crash_between_the_database_and_the_offset_commit_replays_nothing(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    records = _records(intake_codec, "a", "b", "c")
    processor = SERVICE.record_processor(runtime)
    assert processor is not None
    stop = asyncio.Event()
    crashing = EventConsumer(
        CrashBeforeOffsets([records], stop),
        processor,
        runtime.uow,
        DeadLetterWriter(Refusals(), "triage", signer=runtime.keyring.signing_key("triage")),
        name="triage",
    )
    with pytest.raises(SystemExit):
        await crashing.run(stop)
    replay = await deliver(runtime, SERVICE, [records])
    assert await _count(runtime, AppliedEvent) == 3
    assert replay.counts.applied == 0
    assert replay.committed == [{TopicPartition("complaints", 1): 3}]


def consumer_record_at(record: ConsumerRecord, *, offset: int) -> ConsumerRecord:
    """The same record redelivered at another offset (the relay republished it)."""
    return ConsumerRecord(**{**record.__dict__, "offset": offset})


async def test_a_prefetch_reads_once_per_batch_and_once_per_record_on_the_slow_path(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    # What handlers read comes from one prefetch per batch; when a handler fails, each
    # record is applied on its own, after a prefetch of its own, never with another's view.
    seen: list[list[str]] = []

    async def prefetch(messages: Sequence[Inbound[Any]], uow: UnitOfWork) -> list[str]:
        narratives = [m.data.narrative for m in messages]
        seen.append(narratives)
        return narratives

    async def handler(message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
        assert uow.batch == seen[-1]
        await record_and_emit(message, uow)

    prefetching = dataclasses.replace(
        SERVICE, handlers={ComplaintSubmitted: handler}, prefetch=prefetch
    )
    await deliver(runtime, prefetching, [_records(intake_codec, "a", "b")])
    assert seen == [["a", "b"]]
    seen.clear()
    delivery = await deliver(runtime, prefetching, [_records(intake_codec, "c", "raise", "d")])
    assert seen == [["c", "raise", "d"], ["c"], ["raise"], ["raise"], ["raise"], ["d"]]
    assert len(delivery.refused) == 1
    assert await _count(runtime, AppliedEvent) == 4


async def test_a_poll_across_partitions_is_applied_in_one_transaction(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    commits: list[object] = []
    event.listen(runtime.engine.sync_engine, "commit", commits.append)
    records = [
        dataclasses.replace(record, partition=i % 2)
        for i, record in enumerate(_records(intake_codec, "a", "b", "c", "d"))
    ]
    delivery = await deliver(runtime, SERVICE, [records])
    assert len(commits) == 1
    assert await _count(runtime, AppliedEvent) == 4
    assert delivery.committed == [
        {TopicPartition("complaints", 0): 3, TopicPartition("complaints", 1): 4}
    ]
