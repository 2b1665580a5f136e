"""`heard dlq list|show|redrive` on a real broker, with triage's real consumer on PostgreSQL.

A complaint that triage once refused (signed dead letter, `handler-failed`) is listed and
shown without its data, then re-driven: triage applies it once, and re-driving it again
changes nothing (the inbox). A forged dead letter (no signature, a marker in its headers) is
listed as unsigned and shown without the marker. Bad input tried: `redrive` naming nothing,
`show` of a dead letter that does not exist.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deploy import cli
from deploy.status import read_status
from services.triage.db import TriageDecision
from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.kafka import make_producer
from shared.bus.topics import TopicNamespace
from shared.crypto.keyring import FileKeyring, new_keyring_document, save_keyring_file
from shared.errors import HandlerFailed
from shared.events.codec import EventCodec
from shared.events.record import KafkaRecord
from shared.ids import new_id
from shared.runtime import Runtime
from tests.integration.test_bus import _count, triage_running
from tests.support.consumed import consumer_record
from tests.support.events import MARKER, submitted
from tests.support.kafka_io import produce, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def prefix(monkeypatch: pytest.MonkeyPatch) -> str:
    value = f"t{new_id().hex[-12:]}."
    monkeypatch.setenv("HEARD_TOPIC_PREFIX", value)
    return value


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


async def _heard(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bootstrap: str, *args: str
) -> tuple[int, str]:
    keys = tmp_path / "keyring.json"
    argv = ["--var", str(tmp_path), "dlq", "--bootstrap", bootstrap, "--keyring", str(keys)]
    code = await asyncio.to_thread(cli.main, [*argv, *args])
    out = capsys.readouterr()
    return code, out.out + out.err


async def _refused_by_triage(
    bootstrap: str, names: TopicNamespace, keyring: FileKeyring, record: KafkaRecord
) -> None:
    producer = make_producer(bootstrap, "test-dlq")
    await producer.start()
    try:
        writer = DeadLetterWriter(producer, "triage", names, signer=keyring.signing_key("triage"))
        await writer.send(consumer_record(record, offset=7), HandlerFailed("KeyError"))
    finally:
        await producer.stop()


def _forged(record: KafkaRecord) -> KafkaRecord:
    headers = [
        *[(k, MARKER.encode() if k == "ce_subject" else v) for k, v in record.headers],
        ("dlq_reason", b"bad-signature"),
        ("dlq_consumer", b"triage"),
        ("dlq_detail", f"the child is {MARKER}".encode()),
    ]
    return KafkaRecord(topic=record.topic, key=record.key, value=record.value, headers=headers)


async def _caught_up(bootstrap: str, names: TopicNamespace) -> bool:
    status = await read_status(bootstrap, {"triage": ["complaints"]}, names)
    return all(g.lag == 0 for g in status.lags)


async def test_dead_letters_are_listed_shown_without_data_and_redriven_once(
    kafka_bootstrap: str,
    database_url: str,
    prefix: str,
    keyring: FileKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_keyring_file(tmp_path / "keyring.json", keyring.document())
    names = TopicNamespace(prefix)
    event = submitted()
    record = EventCodec(keyring, "intake").encode(event, subject=str(event.complaint_id))
    other = submitted()
    forged = _forged(EventCodec(keyring, "intake").encode(other, subject=str(other.complaint_id)))
    async with triage_running(kafka_bootstrap, database_url, prefix, keyring) as runtime:
        await _refused_by_triage(kafka_bootstrap, names, keyring, record)
        await produce(kafka_bootstrap, names.physical("complaints.dlq"), [forged])

        code, listed = await _heard(capsys, tmp_path, kafka_bootstrap, "list")
        assert code == 0
        rows = [line.split() for line in listed.splitlines() if "complaints.dlq/" in line]
        signed = next(r for r in rows if r[1] == "handler-failed")
        assert signed[2:4] == ["triage", "signed"]
        assert signed[4] == "heard.complaint.submitted.v1"
        unsigned = next(r for r in rows if r[1] == "bad-signature")
        assert unsigned[3] == "unsigned-dead-letter"
        assert "2 dead letter(s)" in listed
        assert MARKER not in listed

        code, shown = await _heard(capsys, tmp_path, kafka_bootstrap, "show", unsigned[0])
        assert code == 0
        assert MARKER not in shown
        assert "[unverified, not shown]" in shown
        assert "bytes, sealed; sha256" in shown
        code, shown = await _heard(capsys, tmp_path, kafka_bootstrap, "show", signed[0])
        assert "KeyError" in shown  # a signed refusal's detail is Heard's own words
        assert event.narrative not in shown

        assert await _count(runtime, TriageDecision) == 0
        code, said = await _heard(capsys, tmp_path, kafka_bootstrap, "redrive", signed[0])
        assert (code, "re-driven   1 dead letter(s)" in said) == (0, True)
        await wait_for(lambda: _has(runtime, 1))
        code, _ = await _heard(capsys, tmp_path, kafka_bootstrap, "redrive", signed[0])
        assert code == 0
        await wait_for(lambda: _caught_up(kafka_bootstrap, names))
        assert await _count(runtime, TriageDecision) == 1  # applied once, re-driven twice

        code, said = await _heard(capsys, tmp_path, kafka_bootstrap, "redrive")
        assert code == 2
        assert "name the dead letters" in said
        code, said = await _heard(capsys, tmp_path, kafka_bootstrap, "show", "complaints.dlq/0/99")
        assert code == 1
        assert "no such dead letter" in said


async def _has(runtime: Runtime, n: int) -> bool:
    return await _count(runtime, TriageDecision) >= n
