"""The relay on a real Kafka broker and PostgreSQL when the broker refuses rows.

- a row larger than its topic's `max.message.bytes` (set small here) is parked with its
  reason, logged as an error, counted, and the rows after it (the same key's too) go on;
- a row for a topic that is not Heard's is parked without being sent;
- a producer stuck in a fatal state (a real `OutOfOrderSequenceNumber` from the broker) is
  replaced, and every row is published once;
- published outbox rows and inbox rows past their retention are purged (in chunks), parked
  and unpublished rows never.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import insert, select, update

from deploy.status import read_parked, render_parked
from services.intake.settings import IntakeSettings
from services.triage.bootstrap import SERVICE as TRIAGE
from shared.bus.inbox import InboxEntry
from shared.bus.kafka import make_producer
from shared.bus.outbox import OutboxMessage, OutboxRecords, count_parked
from shared.bus.producer import RenewableProducer
from shared.bus.relay import OutboxRelay, Retention
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.clock import utcnow
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.record import KafkaRecord
from shared.ids import new_id
from shared.runtime import Runtime, open_runtime
from tests.support.events import submitted
from tests.support.kafka_io import read_all

pytestmark = pytest.mark.integration

SMALL = 4096  # bytes: the complaints topic's max.message.bytes in these tests


@pytest.fixture
def names() -> TopicNamespace:
    return TopicNamespace(f"t{new_id().hex[-12:]}.")


@pytest.fixture
async def runtime(
    kafka_bootstrap: str, database_url: str, names: TopicNamespace
) -> AsyncIterator[Runtime]:
    """Intake's runtime on a migrated PostgreSQL database; `complaints` takes 4 KiB at most."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        small = {"max.message.bytes": str(SMALL)}
        topic = NewTopic(names.physical("complaints"), 1, 1, topic_configs=small)
        await admin.create_topics([topic])
    finally:
        await admin.close()
    await ensure_topics(kafka_bootstrap, namespace=names)
    upgrade(database_url, TRIAGE.migrations)  # any service's migrations hold the bus tables
    settings = IntakeSettings(database_url=database_url)
    async with open_runtime("intake", settings, keyring=FileKeyring(new_keyring_document())) as rt:
        yield rt


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[RenewableProducer]:
    made = make_producer(kafka_bootstrap, "test-relay")
    await made.start()
    yield made
    await made.stop()


def _event(codec: EventCodec, subject: str, narrative: str = "hello") -> KafkaRecord:
    return codec.encode(submitted(narrative), subject=subject)


async def _write(runtime: Runtime, records: list[KafkaRecord]) -> None:
    async with runtime.sessions() as session:
        await OutboxRecords(notify=False).write(session, records)
        await session.commit()


async def _rows(runtime: Runtime) -> list[Any]:
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    async with runtime.engine.connect() as connection:
        return list((await connection.execute(select(table).order_by(table.c.seq))).all())


async def _published_ids(bootstrap: str, topic: str) -> list[str]:
    return [dict(r.headers)["ce_id"].decode() for r in await read_all(bootstrap, topic)]


def _id(record: KafkaRecord) -> str:
    return dict(record.headers)["ce_id"].decode()


async def test_a_record_too_large_for_its_topic_is_parked_and_the_rows_after_it_go_on(
    kafka_bootstrap: str,
    runtime: Runtime,
    producer: RenewableProducer,
    names: TopicNamespace,
    caplog: pytest.LogCaptureFixture,
) -> None:
    codec = runtime.codec
    subject = str(new_id())  # one key: one partition, where a refusal breaks the sequence
    before = _event(codec, subject)
    huge = _event(codec, subject, narrative="x" * (SMALL * 3))
    after = [_event(codec, subject), _event(codec, str(new_id()))]
    await _write(runtime, [before, huge, *after])
    relay = OutboxRelay(runtime.sessions, producer, namespace=names)

    with caplog.at_level(logging.ERROR, logger="heard.relay"):
        assert await relay.publish_batch() == 4

    rows = {row.event_id: row for row in await _rows(runtime)}
    assert rows[_id(huge)].park_reason == "too-large"
    assert rows[_id(huge)].published_at is None
    assert all(rows[_id(r)].published_at is not None for r in [before, *after])
    assert relay.counts.parked == 1
    assert relay.counts.parked_reasons == {"too-large": 1}
    assert [r.getMessage() for r in caplog.records if r.name == "heard.relay"] == [
        "outbox row parked: the broker will never take it; the rows after it go on"
    ]
    async with runtime.engine.connect() as connection:
        assert await count_parked(connection) == 1
    # `heard status` reads the same figure from the service's database, and says so.
    parked = await read_parked({"intake": runtime.settings.database_url, "x": "sqlite:///no"})
    assert parked == {"intake": 1, "x": None}
    assert "parked rows never reach the broker" in render_parked(parked)
    topic = names.physical("complaints")
    assert await _published_ids(kafka_bootstrap, topic) == [_id(r) for r in [before, *after]]
    # The producer the refusal broke was replaced: later rows are published, the parked stays.
    later = _event(codec, subject)
    await _write(runtime, [later])
    assert await relay.publish_batch() == 1
    assert (await _published_ids(kafka_bootstrap, topic))[-1] == _id(later)
    assert await relay.publish_batch() == 0


async def test_a_row_for_a_topic_that_is_not_heards_is_parked_without_being_sent(
    kafka_bootstrap: str, runtime: Runtime, producer: RenewableProducer, names: TopicNamespace
) -> None:
    good = _event(runtime.codec, str(new_id()))
    stray = replace(_event(runtime.codec, str(new_id())), topic="no-such-topic")
    await _write(runtime, [stray, good])
    relay = OutboxRelay(runtime.sessions, producer, namespace=names)
    assert await relay.publish_batch() == 2
    rows = {row.event_id: row for row in await _rows(runtime)}
    assert rows[_id(stray)].park_reason == "unknown-topic"
    assert rows[_id(good)].published_at is not None
    complaints = await _published_ids(kafka_bootstrap, names.physical("complaints"))
    assert complaints == [_id(good)]


async def test_a_producer_stuck_out_of_sequence_is_replaced_and_nothing_is_lost(
    kafka_bootstrap: str, runtime: Runtime, producer: RenewableProducer, names: TopicNamespace
) -> None:
    codec = runtime.codec
    subject = str(new_id())
    relay = OutboxRelay(runtime.sessions, producer, namespace=names)
    first = _event(codec, subject)
    await _write(runtime, [first])
    assert await relay.publish_batch() == 1
    # Skip sequence numbers on the live producer: the broker answers OutOfOrderSequenceNumber
    # to every later record on the partition, for as long as this producer lives.
    inner = producer._current
    assert inner is not None
    tp = TopicPartition(names.physical("complaints"), 0)
    inner._txn_manager.increment_sequence_number(tp, 5)

    rest = [_event(codec, subject) for _ in range(3)]
    await _write(runtime, rest)
    assert await relay.publish_batch() == 3

    assert producer.renewals == 1
    rows = await _rows(runtime)
    assert all(row.published_at is not None and row.parked_at is None for row in rows)
    published = await _published_ids(kafka_bootstrap, names.physical("complaints"))
    assert published == [_id(r) for r in [first, *rest]]


async def test_rows_past_their_retention_are_purged_and_parked_or_waiting_rows_stay(
    runtime: Runtime, producer: RenewableProducer, names: TopicNamespace
) -> None:
    codec = runtime.codec
    records = [_event(codec, str(new_id())) for _ in range(6)]
    await _write(runtime, records)
    old, recent = utcnow() - timedelta(days=8), utcnow() - timedelta(days=6)
    ids = [_id(r) for r in records]
    async with runtime.engine.begin() as connection:
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        changes: list[dict[str, Any]] = [
            {"published_at": old},
            {"published_at": old},
            {"published_at": old},
            {"published_at": recent},
            {"parked_at": old, "park_reason": "too-large"},
            {},  # still waiting, however old
        ]
        for event_id, values in zip(ids, changes, strict=True):
            if not values:
                continue
            await connection.execute(
                update(table).where(table.c.event_id == event_id).values(**values)
            )
        inbox = InboxEntry.__table__  # type: ignore[attr-defined]
        await connection.execute(
            insert(inbox),
            [
                {"consumer": "triage", "dedupe_key": f"k{i}", "processed_at": when}
                for i, when in enumerate([utcnow() - timedelta(days=91)] * 3 + [recent])
            ],
        )
    retention = Retention(outbox=timedelta(days=7), inbox=timedelta(days=90), chunk=2)
    relay = OutboxRelay(runtime.sessions, producer, namespace=names, retention=retention)

    assert await relay.purge() == 6

    assert [row.event_id for row in await _rows(runtime)] == ids[3:]
    async with runtime.engine.connect() as connection:
        left = (await connection.execute(select(InboxEntry.__table__.c.dedupe_key))).scalars()  # type: ignore[attr-defined]
        assert list(left) == ["k3"]
