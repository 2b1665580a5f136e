"""One signed event has one canonical form, so it has exactly one audit leaf.

Each bad form below keeps a valid signature (the signature covers the parsed attributes,
not the header bytes), so before the canonical check every one of them verified and reached
audit as a second, different leaf of the same event. Bad forms tried: a repeated `ce_id`,
a repeated `traceparent`, upper- and mixed-case names (`CE_ID`, `Ce_Type`, `Content-Type`,
`Traceparent`), unknown `ce_*` headers (`ce_note`, `ce_dataschema`), and `ce_time` as
`Z`, with a space instead of `T`, without its zone, and at another offset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.errors import MalformedEnvelope
from shared.events.codec import EventCodec
from shared.events.envelope import envelope_from_headers
from shared.events.record import KafkaRecord
from tests.support.events import submitted

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
TIME = datetime(2026, 11, 23, 22, 38, 32, 123456, tzinfo=UTC)
Headers = list[tuple[str, bytes]]


def _encoded(codec: EventCodec) -> KafkaRecord:
    event = submitted()
    return codec.encode(event, subject=str(event.complaint_id), traceparent=TRACEPARENT, time=TIME)


def _renamed(old: str, new: str) -> Callable[[Headers], Headers]:
    return lambda headers: [(new if k == old else k, v) for k, v in headers]


def _repeated(name: str) -> Callable[[Headers], Headers]:
    return lambda headers: [*headers, *[(k, v) for k, v in headers if k == name]]


def _added(name: str, value: bytes) -> Callable[[Headers], Headers]:
    return lambda headers: [*headers, (name, value)]


def _time(text: str) -> Callable[[Headers], Headers]:
    return lambda headers: [(k, text.encode() if k == "ce_time" else v) for k, v in headers]


BAD_FORMS: dict[str, Callable[[Headers], Headers]] = {
    "repeated ce_id": _repeated("ce_id"),
    "repeated traceparent": _repeated("traceparent"),
    "CE_ID": _renamed("ce_id", "CE_ID"),
    "Ce_Type": _renamed("ce_type", "Ce_Type"),
    "Content-Type": _renamed("content-type", "Content-Type"),
    "Traceparent": _renamed("traceparent", "Traceparent"),
    "unknown ce_note": _added("ce_note", b"x"),
    "unknown ce_dataschema": _added("ce_dataschema", b"https://example.org/s"),
    "time with Z": _time("2026-11-23T22:38:32.123456Z"),
    "time with a space": _time("2026-11-23 22:38:32.123456+00:00"),
    "time without zone": _time("2026-11-23T22:38:32.123456"),
    "time at +01:00": _time("2026-11-23T23:38:32.123456+01:00"),
}


@pytest.mark.parametrize("form", BAD_FORMS)
def test_a_non_canonical_form_of_a_signed_event_is_malformed(
    intake_codec: EventCodec, triage_codec: EventCodec, form: str
) -> None:
    record = _encoded(intake_codec)
    bad = dataclasses.replace(record, headers=BAD_FORMS[form](record.headers))
    with pytest.raises(MalformedEnvelope):
        triage_codec.decode(bad.topic, bad.key, bad.headers, bad.value)
    with pytest.raises(MalformedEnvelope):  # audit's check, without a data key
        triage_codec.verify(bad.topic, bad.key, bad.headers, bad.value)


def test_the_canonical_form_verifies(intake_codec: EventCodec, triage_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    inbound = triage_codec.decode(record.topic, record.key, record.headers, record.value)
    assert inbound.envelope.time == TIME
    assert dict(record.headers)["ce_time"] == b"2026-11-23T22:38:32.123456+00:00"


def test_a_time_given_in_another_zone_is_sent_in_utc(
    intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    event = submitted()
    local = TIME.astimezone(timezone(timedelta(hours=5)))
    record = intake_codec.encode(event, subject=str(event.complaint_id), time=local)
    assert dict(record.headers)["ce_time"] == b"2026-11-23T22:38:32.123456+00:00"
    triage_codec.decode(record.topic, record.key, record.headers, record.value)


def test_a_whole_second_renders_without_a_fraction_and_still_verifies(
    intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    event = submitted()
    whole = TIME.replace(microsecond=0)
    record = intake_codec.encode(event, subject=str(event.complaint_id), time=whole)
    envelope, _ = envelope_from_headers(record.headers)
    assert envelope.time == whole
    triage_codec.decode(record.topic, record.key, record.headers, record.value)
