"""Audit verifies without decrypting, logs dead letters with their reason, appends each
record once at a gapless position, and its table refuses UPDATE and DELETE."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.audit import handlers
from services.audit.db import AuditLogEntry, latest_entries, log_size
from services.audit.model import leaf_hash
from services.audit.processor import AuditProcessor
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.errors import (
    EventRejected,
    MalformedEnvelope,
    ProducerNotAllowed,
    SignatureInvalid,
    UnknownEventType,
)
from shared.events.codec import EventCodec
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support.consumed import consumer_record
from tests.support.events import MARKER, submitted
from tests.unit.audit.support import apply_record, dead_letter

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
OTHER_TRACE = b"00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _encoded(codec: EventCodec) -> KafkaRecord:
    event = submitted()
    return codec.encode(event, subject=str(event.complaint_id), traceparent=TRACEPARENT)


def _with_header(record: KafkaRecord, name: str, value: bytes | None) -> KafkaRecord:
    kept = [(k, v) for k, v in record.headers if k != name]
    headers = kept if value is None else [*kept, (name, value)]
    return dataclasses.replace(record, headers=headers)


def _database_bytes(folder: Path) -> bytes:
    """Everything SQLite wrote: the database file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in folder.glob("audit.db*"))


async def _entries(runtime: Runtime) -> list[AuditLogEntry]:
    async with runtime.sessions() as session:
        return list(reversed(await latest_entries(session, limit=500)))


async def test_a_verified_event_is_logged_with_its_metadata(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    record = _encoded(intake_codec)
    accepted = processor.prepare(consumer_record(record, offset=41))
    assert accepted.traceparent == TRACEPARENT
    assert accepted.event_type == "heard.complaint.submitted.v1"
    assert await apply_record(runtime, consumer_record(record, offset=41))
    (entry,) = await _entries(runtime)
    assert entry.position == 0
    assert entry.leaf_hash == leaf_hash(record.topic, record.key, record.headers, record.value)
    assert (entry.event_id, entry.source, entry.subject) == (
        accepted.event_id,
        "/heard/intake",
        record.key.decode() if record.key else None,
    )
    assert (entry.topic, entry.partition, entry.offset, entry.dlq_reason) == (
        "complaints",
        1,
        41,
        None,
    )
    assert accepted.dedupe_key == f"/heard/intake {accepted.event_id}"


def test_audit_verifies_without_any_data_key(
    keyring: FileKeyring, intake_codec: EventCodec
) -> None:
    document = {**keyring.document(), "data_keys": {}}
    blind = AuditProcessor(EventCodec(FileKeyring(document), "audit"))
    assert blind.prepare(consumer_record(_encoded(intake_codec))) is not None


@pytest.mark.parametrize(
    ("header", "value", "rejection"),
    [
        ("ce_id", b"018f0000-0000-7000-8000-000000000000", SignatureInvalid),
        ("ce_time", b"2020-01-01T00:00:00+00:00", SignatureInvalid),
        (
            "traceparent",
            b"00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            SignatureInvalid,
        ),
        ("ce_signature", base64.b64encode(b"x" * 64), SignatureInvalid),
        ("ce_signature", b"not base64!", SignatureInvalid),
        ("ce_signature", None, MalformedEnvelope),
        ("ce_subject", b"018f0000-0000-7000-8000-000000000000", MalformedEnvelope),
        ("ce_source", b"/heard/triage", ProducerNotAllowed),
        ("ce_type", b"heard.complaint.invented.v1", UnknownEventType),
        ("ce_specversion", b"0.3", MalformedEnvelope),
    ],
)
def test_tampered_headers_are_rejected_with_their_reason(
    processor: AuditProcessor,
    intake_codec: EventCodec,
    header: str,
    value: bytes | None,
    rejection: type[EventRejected],
) -> None:
    record = _with_header(_encoded(intake_codec), header, value)
    with pytest.raises(rejection):
        processor.prepare(consumer_record(record))


def test_tampered_value_is_rejected(processor: AuditProcessor, intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    flipped = bytes([record.value[0] ^ 1]) + record.value[1:]
    with pytest.raises(SignatureInvalid):
        processor.prepare(consumer_record(dataclasses.replace(record, value=flipped)))


def test_event_on_the_wrong_topic_is_rejected(
    processor: AuditProcessor, intake_codec: EventCodec
) -> None:
    with pytest.raises(MalformedEnvelope):
        processor.prepare(consumer_record(_encoded(intake_codec), topic="cases"))


def test_event_signed_with_another_key_is_rejected(
    processor: AuditProcessor, intake_codec: EventCodec
) -> None:
    impostor = EventCodec(FileKeyring(new_keyring_document()), "intake")
    with pytest.raises(SignatureInvalid):
        processor.prepare(consumer_record(_encoded(impostor)))
    assert processor.prepare(consumer_record(_encoded(intake_codec))) is not None


async def test_a_dead_letter_is_logged_unverified_with_reason_and_consumer(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    original = _encoded(intake_codec)
    damaged = dataclasses.replace(original, value=b"garbage")
    letter = dead_letter(
        damaged, intake_codec.keyring, consumer="triage", reason="bad-signature", offset=3
    )
    accepted = processor.prepare(letter)
    assert accepted.dedupe_key.startswith("dlq:")
    assert accepted.traceparent == TRACEPARENT
    assert await apply_record(runtime, letter)
    (entry,) = await _entries(runtime)
    assert (entry.topic, entry.dlq_reason, entry.dlq_consumer) == (
        "complaints.dlq",
        "bad-signature",
        "triage",
    )
    assert entry.type == "heard.complaint.submitted.v1"
    assert entry.leaf_hash == leaf_hash(letter.topic, letter.key, letter.headers, letter.value)


async def test_redelivered_event_is_logged_once(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    record = _encoded(intake_codec)
    assert await apply_record(runtime, consumer_record(record, offset=5))
    assert not await apply_record(runtime, consumer_record(record, offset=5))
    # The relay republishing after a crash puts the same event at a later offset.
    assert not await apply_record(runtime, consumer_record(record, offset=9))
    assert len(await _entries(runtime)) == 1


async def test_a_dead_letter_is_logged_once_per_refusing_consumer(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    record = _encoded(intake_codec)
    letters = [
        dead_letter(record, intake_codec.keyring, consumer="triage", offset=0),
        dead_letter(record, intake_codec.keyring, consumer="triage", offset=1),
        dead_letter(record, intake_codec.keyring, consumer="casework", offset=2),
    ]
    applied = [await apply_record(runtime, r) for r in letters]
    assert applied == [True, False, True]
    assert [e.dlq_consumer for e in await _entries(runtime)] == ["triage", "casework"]


async def test_positions_are_gapless(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    records = [consumer_record(_encoded(intake_codec), offset=i) for i in range(4)]
    records.insert(2, dead_letter(_encoded(intake_codec), intake_codec.keyring))
    for record in records:
        await apply_record(runtime, record)
    assert [e.position for e in await _entries(runtime)] == [0, 1, 2, 3, 4]
    async with runtime.sessions() as session:
        assert await log_size(session) == 5


async def test_concurrent_appends_stay_gapless(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    records = [consumer_record(_encoded(intake_codec)) for _ in range(8)]
    applied = await asyncio.gather(*(apply_record(runtime, r) for r in records))
    assert all(applied)
    assert [e.position for e in await _entries(runtime)] == list(range(8))


async def test_the_log_refuses_update_and_delete(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime
) -> None:
    await apply_record(runtime, consumer_record(_encoded(intake_codec)))
    for statement in (
        "UPDATE audit_log_entry SET leaf_hash = 'x'",
        "DELETE FROM audit_log_entry",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            async with runtime.engine.begin() as connection:
                await connection.execute(text(statement))
    assert len(await _entries(runtime)) == 1


async def test_the_append_is_a_span_in_the_events_trace(
    processor: AuditProcessor,
    intake_codec: EventCodec,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    tracer = provider.get_tracer("test")
    monkeypatch.setattr(handlers, "tracer", lambda: tracer)
    await apply_record(runtime, consumer_record(_encoded(intake_codec)))
    append = next(s for s in exported.get_finished_spans() if s.name == "audit append")
    assert f"{append.context.trace_id:032x}" == TRACEPARENT.split("-")[1]
    assert dict(append.attributes or {}) == {"heard.audit.position": 0}


async def test_nothing_readable_reaches_the_database(
    processor: AuditProcessor, intake_codec: EventCodec, runtime: Runtime, tmp_path: Path
) -> None:
    record = _encoded(intake_codec)
    await apply_record(runtime, consumer_record(record))
    await apply_record(runtime, dead_letter(record, intake_codec.keyring))
    await runtime.engine.dispose()
    stored = _database_bytes(tmp_path)
    assert b"audit_log_entry" in stored
    assert MARKER.encode() not in stored
    assert b"example.org" not in stored
