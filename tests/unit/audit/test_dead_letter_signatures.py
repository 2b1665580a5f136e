"""Audit logs a dead letter as a refusal only when the refusing consumer's signature over it
verifies. Bad dead letters tried: no signature; signed by another service's key; the reason
changed after signing; the consumer renamed after signing; the sealed value swapped for
another record's; a second `dlq_reason` header appended; a consumer nobody knows; a
signature that is not base64."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from aiokafka.structs import ConsumerRecord

from services.audit.db import AuditLogEntry, latest_entries
from shared.bus.dlq_signing import FORGED, SIGNED, UNSIGNED, check_dead_letter
from shared.crypto.keyring import Keyring
from shared.events.codec import EventCodec
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support.events import submitted
from tests.unit.audit.support import apply_record, dead_letter


def _encoded(codec: EventCodec) -> KafkaRecord:
    event = submitted()
    return codec.encode(event, subject=str(event.complaint_id))


def _headers(letter: ConsumerRecord, change: Callable[[str, bytes], bytes]) -> ConsumerRecord:
    return dataclasses.replace(letter, headers=[(k, change(k, v)) for k, v in letter.headers])


def _set(name: str, value: bytes) -> Callable[[ConsumerRecord], ConsumerRecord]:
    return lambda letter: _headers(letter, lambda k, v: value if k == name else v)


def _signed_by_casework_as_triage(keys: Keyring, record: KafkaRecord) -> ConsumerRecord:
    as_casework = dead_letter(record, keys, consumer="casework")
    return _set("dlq_consumer", b"triage")(as_casework)


FORGERIES: dict[str, Callable[[Keyring, KafkaRecord], ConsumerRecord]] = {
    "signed by another service": _signed_by_casework_as_triage,
    "reason changed": lambda k, r: _set("dlq_reason", b"invalid-data")(dead_letter(r, k)),
    "consumer renamed": lambda k, r: _set("dlq_consumer", b"casework")(dead_letter(r, k)),
    "value swapped": lambda k, r: dataclasses.replace(dead_letter(r, k), value=b"other"),
    "reason repeated": lambda k, r: dataclasses.replace(
        dead_letter(r, k),
        headers=[*dead_letter(r, k).headers, ("dlq_reason", b"handler-failed")],
    ),
    "unknown consumer": lambda k, r: _set("dlq_consumer", b"mallory")(dead_letter(r, k)),
    "signature not base64": lambda k, r: _set("dlq_signature", b"!!")(dead_letter(r, k)),
}


def _check(keys: Keyring, letter: ConsumerRecord) -> str:
    return check_dead_letter(
        keys.verify_key, letter.topic, letter.key, letter.headers, letter.value
    )


async def _only_entry(runtime: Runtime) -> AuditLogEntry:
    async with runtime.sessions() as session:
        (entry,) = await latest_entries(session, limit=5)
    return entry


async def test_a_signed_dead_letter_is_logged_as_the_consumers_refusal(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    letter = dead_letter(_encoded(intake_codec), intake_codec.keyring, reason="invalid-data")
    assert _check(intake_codec.keyring, letter) == SIGNED
    assert await apply_record(runtime, letter)
    entry = await _only_entry(runtime)
    assert (entry.dlq_reason, entry.dlq_consumer) == ("invalid-data", "triage")


async def test_an_unsigned_dead_letter_is_logged_as_unsigned_never_as_a_refusal(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    letter = dead_letter(_encoded(intake_codec), None, reason="invalid-data")
    assert _check(intake_codec.keyring, letter) == UNSIGNED
    assert await apply_record(runtime, letter)
    entry = await _only_entry(runtime)
    assert (entry.dlq_reason, entry.dlq_consumer) == (UNSIGNED, None)


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_a_forged_dead_letter_is_logged_as_forged_never_as_a_refusal(
    runtime: Runtime, intake_codec: EventCodec, forgery: str
) -> None:
    letter = FORGERIES[forgery](intake_codec.keyring, _encoded(intake_codec))
    assert _check(intake_codec.keyring, letter) == FORGED
    assert await apply_record(runtime, letter)
    entry = await _only_entry(runtime)
    assert (entry.dlq_reason, entry.dlq_consumer) == (FORGED, None)
