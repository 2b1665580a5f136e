"""The bus on a real Kafka broker and a real PostgreSQL server.

- the relay publishes exactly what was committed, never what was rolled back;
- a redelivered event changes nothing;
- every kind of poison event lands in the DLQ with its reason while the consumer goes on.
Each test has its own topic prefix and database, so tests share the broker safely.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from services.triage.bootstrap import SERVICE as TRIAGE
from services.triage.db import TriageDecision
from services.triage.settings import TriageSettings
from shared.bus.dlq_signing import SIGNED, check_dead_letter
from shared.bus.kafka import make_producer
from shared.bus.outbox import OutboxMessage
from shared.bus.relay import OutboxRelay
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto import aead, signing
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.envelope import envelope_from_headers
from shared.events.record import KafkaRecord
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import Runtime, open_runtime
from tests.support.events import submitted
from tests.support.kafka_io import produce, read_all, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def prefix() -> str:
    return f"t{new_id().hex[-12:]}."


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


@asynccontextmanager
async def triage_running(
    bootstrap: str, database_url: str, prefix: str, keyring: FileKeyring
) -> AsyncIterator[Runtime]:
    """Triage's real consumer on a migrated PostgreSQL database, in this process."""
    upgrade(database_url, TRIAGE.migrations)
    settings = TriageSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        HEARD_TOPIC_PREFIX=prefix,
    )
    await ensure_topics(bootstrap, namespace=TopicNamespace(prefix))
    stop = asyncio.Event()
    async with open_runtime("triage", settings, keyring=keyring) as runtime:
        task = asyncio.create_task(run_consumer(TRIAGE, runtime, stop))
        try:
            yield runtime
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


async def _count(runtime: Runtime, table: type[SQLModel]) -> int:
    async with runtime.sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


def _submitted_record(keyring: FileKeyring) -> KafkaRecord:
    event = submitted()
    return EventCodec(keyring, "intake").encode(event, subject=str(event.complaint_id))


async def test_relay_publishes_exactly_the_committed_events(
    kafka_bootstrap: str, database_url: str, prefix: str, keyring: FileKeyring
) -> None:
    upgrade(database_url, TRIAGE.migrations)
    names = TopicNamespace(prefix)
    await ensure_topics(kafka_bootstrap, namespace=names)
    settings = TriageSettings(database_url=database_url)
    committed, rolled_back = set(), set()
    async with open_runtime("intake", settings, keyring=keyring) as runtime:
        for i in range(8):
            async with runtime.uow() as uow:
                event = submitted()
                uow.emit(event, subject=str(event.complaint_id))
                if i % 3 == 2:
                    rolled_back.add(str(event.complaint_id))
                    continue  # leaving without commit rolls back
                await uow.commit()
                committed.add(str(event.complaint_id))
        producer = make_producer(kafka_bootstrap, "test-relay")
        await producer.start()
        try:
            assert (
                await OutboxRelay(runtime.sessions, producer, namespace=names).publish_batch()
                == len(committed)
                == 6
            )
        finally:
            await producer.stop()
        assert await _count(runtime, OutboxMessage) == 6
    published = await read_all(kafka_bootstrap, names.physical("complaints"))
    subjects = {r.key.decode() for r in published if r.key}
    assert subjects == committed
    assert not subjects & rolled_back
    assert len(published) == 6


async def test_redelivered_event_changes_nothing(
    kafka_bootstrap: str, database_url: str, prefix: str, keyring: FileKeyring
) -> None:
    record = _submitted_record(keyring)
    topic = TopicNamespace(prefix).physical("complaints")
    async with triage_running(kafka_bootstrap, database_url, prefix, keyring) as runtime:
        await produce(kafka_bootstrap, topic, [record, record])
        await wait_for(lambda: _applied(runtime, 1))
        await produce(kafka_bootstrap, topic, [record])
        second = _submitted_record(keyring)
        await produce(kafka_bootstrap, topic, [second])
        await wait_for(lambda: _applied(runtime, 2))
        assert await _count(runtime, TriageDecision) == 2
        # Per complaint: its decision and its de-identified statistical profile.
        assert await _count(runtime, OutboxMessage) == 4


async def _applied(runtime: Runtime, n: int) -> bool:
    return await _count(runtime, TriageDecision) >= n


def _with_header(record: KafkaRecord, name: str, value: bytes | None) -> KafkaRecord:
    headers = [(k, v) for k, v in record.headers if k != name]
    if value is not None:
        headers.append((name, value))
    return dataclasses.replace(record, headers=headers)


def _resealed(
    keyring: FileKeyring,
    record: KafkaRecord,
    plaintext: bytes,
    signer: str = "intake",
    data_key: bytes | None = None,
) -> KafkaRecord:
    """`record` with a new sealed payload, correctly signed by `signer`."""
    record = _with_header(record, "ce_source", f"/heard/{signer}".encode())
    envelope, _ = envelope_from_headers(record.headers)
    associated = envelope.associated_data("complaints", record.key)
    secret = data_key or keyring.data_key("complaints", envelope.keyid).secret
    value = aead.seal(secret, plaintext, associated)
    signature = signing.sign(keyring.signing_key(signer), associated, value)
    signed = _with_header(record, "ce_signature", base64.b64encode(signature))
    return dataclasses.replace(signed, value=value)


def _poison(keyring: FileKeyring) -> dict[str, Callable[[], KafkaRecord]]:
    """Each kind of bad record, named by the DLQ reason it must get."""

    def good() -> KafkaRecord:
        return _submitted_record(keyring)

    return {
        "unsigned": lambda: _with_header(good(), "ce_signature", None),
        "bad-signature": lambda: _with_header(good(), "ce_signature", base64.b64encode(bytes(64))),
        "producer-not-allowed": lambda: _resealed(keyring, good(), b"{}", signer="triage"),
        "undecryptable": lambda: _resealed(keyring, good(), b"{}", data_key=bytes(32)),
        "unknown-type": lambda: _with_header(good(), "ce_type", b"heard.complaint.exploded.v1"),
        "invalid-data": lambda: _resealed(keyring, good(), b'{"narrative": 5}'),
        "garbage": lambda: KafkaRecord(topic="complaints", key=b"k", value=b"\x00garbage"),
        "case-variant": lambda: _renamed(good(), "ce_id", "CE_ID"),
        "unknown-ce-header": lambda: _with_header(good(), "ce_note", b"x"),
        "time-with-z": lambda: _zulu(good()),
    }


def _renamed(record: KafkaRecord, old: str, new: str) -> KafkaRecord:
    return dataclasses.replace(
        record, headers=[(new if k == old else k, v) for k, v in record.headers]
    )


def _zulu(record: KafkaRecord) -> KafkaRecord:
    """The same signed event with its time written with `Z`: not the canonical rendering."""
    time = dict(record.headers)["ce_time"].replace(b"+00:00", b"Z")
    return dataclasses.replace(
        record, headers=[(k, time if k == "ce_time" else v) for k, v in record.headers]
    )


async def test_poison_events_go_to_the_dlq_and_the_consumer_goes_on(
    kafka_bootstrap: str, database_url: str, prefix: str, keyring: FileKeyring
) -> None:
    expected = {
        "unsigned": "malformed-envelope",
        "bad-signature": "bad-signature",
        "producer-not-allowed": "producer-not-allowed",
        "undecryptable": "undecryptable",
        "unknown-type": "unknown-type",
        "invalid-data": "invalid-data",
        "garbage": "malformed-envelope",
        "case-variant": "malformed-envelope",
        "unknown-ce-header": "malformed-envelope",
        "time-with-z": "malformed-envelope",
    }
    poison = {name: make() for name, make in _poison(keyring).items()}
    names = TopicNamespace(prefix)
    async with triage_running(kafka_bootstrap, database_url, prefix, keyring) as runtime:
        await produce(kafka_bootstrap, names.physical("complaints"), list(poison.values()))
        await produce(kafka_bootstrap, names.physical("complaints"), [_submitted_record(keyring)])
        await wait_for(lambda: _applied(runtime, 1))
    dead = await read_all(kafka_bootstrap, names.physical("complaints.dlq"))
    reasons = {bytes(r.key or b"").decode(): dict(r.headers)["dlq_reason"].decode() for r in dead}
    by_name = {
        name: reasons.get(rec.key.decode() if rec.key else "") for name, rec in poison.items()
    }
    assert by_name == expected
    assert all(dict(r.headers)["dlq_consumer"] == b"triage" for r in dead)
    # Each is signed by triage, over its reason and the original record, as audit checks.
    verdicts = {
        check_dead_letter(keyring.verify_key, "complaints.dlq", r.key, r.headers, r.value)
        for r in dead
    }
    assert verdicts == {SIGNED}
