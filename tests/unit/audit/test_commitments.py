"""A salted commitment in an event's signed attributes becomes a leaf of its own, right after
the record's; the log proves it by commitment; a tampered or malformed commitment header
is refused like any other forged attribute."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from services.audit.app import create_app
from services.audit.db import AuditLogEntry, latest_entries
from services.audit.integrator import integrate_all
from services.audit.model import COMMITMENT_TYPE, leaf_hash
from services.audit.processor import AuditProcessor
from services.audit.settings import AuditSettings
from shared.errors import MalformedEnvelope, SignatureInvalid
from shared.events.codec import EventCodec
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from shared.tlog import merkle
from shared.tlog.commitment import commitment_leaf
from tests.support.apps import app_client
from tests.support.consumed import consumer_record
from tests.support.events import submitted
from tests.unit.audit.support import apply_record

COMMITMENT = secrets.token_bytes(32)


def _committed(codec: EventCodec, commitment: bytes = COMMITMENT) -> KafkaRecord:
    event = submitted()
    return codec.encode(event, subject=str(event.complaint_id), commitment=commitment)


def _with(record: KafkaRecord, value: bytes) -> KafkaRecord:
    headers = [(k, value if k == "ce_commitment" else v) for k, v in record.headers]
    return dataclasses.replace(record, headers=headers)


async def _entries(runtime: Runtime) -> list[AuditLogEntry]:
    async with runtime.sessions() as session:
        return list(reversed(await latest_entries(session, limit=10)))


async def test_a_commitment_gets_a_leaf_of_its_own_after_the_records(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    record = _committed(intake_codec)
    assert (("ce_commitment", COMMITMENT.hex().encode())) in record.headers
    assert await apply_record(runtime, consumer_record(record))
    event, commitment = await _entries(runtime)
    assert event.leaf_hash == leaf_hash(record.topic, record.key, record.headers, record.value)
    assert commitment.leaf_hash == commitment_leaf(COMMITMENT).hex()
    assert (commitment.position, commitment.type) == (1, COMMITMENT_TYPE)
    assert commitment.event_id == event.event_id


@pytest.mark.parametrize(
    ("value", "rejection"),
    [
        (secrets.token_bytes(32).hex().encode(), SignatureInvalid),  # another commitment
        (b"ab" * 31, MalformedEnvelope),  # too short
        (b"AB" * 32, MalformedEnvelope),  # upper case
        (b"zz" * 32, MalformedEnvelope),  # not hex
    ],
    ids=["swapped", "short", "upper case", "not hex"],
)
def test_a_tampered_or_malformed_commitment_is_refused(
    processor: AuditProcessor, intake_codec: EventCodec, value: bytes, rejection: type[Exception]
) -> None:
    with pytest.raises(rejection):
        processor.prepare(consumer_record(_with(_committed(intake_codec), value)))


@pytest.fixture
async def log(settings: AuditSettings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    app = create_app(settings, integrate=False)
    async with app_client(app) as client:
        yield client, app.state.runtime


async def test_the_log_proves_a_commitment_and_refuses_bad_requests(
    log: tuple[httpx.AsyncClient, Runtime], intake_codec: EventCodec, settings: AuditSettings
) -> None:
    client, runtime = log
    for _ in range(3):
        assert await apply_record(
            runtime, consumer_record(_committed(intake_codec, secrets.token_bytes(32)))
        )
    assert await apply_record(runtime, consumer_record(_committed(intake_codec)))
    signed = await integrate_all(runtime, settings)
    assert signed is not None
    url = "/log/proofs/commitment"
    answer = (await client.get(url, params={"commitment": COMMITMENT.hex(), "size": 8})).json()
    assert answer["index"] == 7
    proof = [bytes.fromhex(h) for h in answer["proof"]]
    assert answer["root_hash"] == signed.root_hash.hex()
    assert merkle.verify_inclusion(commitment_leaf(COMMITMENT), 7, 8, proof, signed.root_hash)
    unknown: dict[str, str | int] = {"commitment": secrets.token_bytes(32).hex(), "size": 8}
    assert (await client.get(url, params=unknown)).status_code == 404
    assert (
        await client.get(url, params={"commitment": COMMITMENT.hex(), "size": 9})
    ).status_code == 404
    for bad in ("AB" * 32, "ab" * 31, "x"):
        assert (await client.get(url, params={"commitment": bad, "size": 8})).status_code == 422
    assert (
        await client.get(url, params={"commitment": COMMITMENT.hex(), "size": 0})
    ).status_code == 422
