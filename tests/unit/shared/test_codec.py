"""The codec seals, signs, verifies and opens; any tampering is rejected with its reason."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from shared.crypto import aead, signing
from shared.crypto.keyring import FileKeyring
from shared.errors import (
    EventRejected,
    InvalidEventData,
    KeyNotYetKnown,
    MalformedEnvelope,
    ProducerNotAllowed,
    SignatureInvalid,
    UnknownEventType,
)
from shared.events.codec import EventCodec
from shared.events.envelope import envelope_from_headers
from shared.events.record import KafkaRecord
from tests.support.events import MARKER, submitted

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _encoded(codec: EventCodec) -> KafkaRecord:
    event = submitted()
    return codec.encode(event, subject=str(event.complaint_id), traceparent=TRACEPARENT)


def _decode(codec: EventCodec, record: KafkaRecord) -> object:
    return codec.decode(record.topic, record.key, record.headers, record.value)


def _with_header(record: KafkaRecord, name: str, value: bytes) -> KafkaRecord:
    headers = [(k, value if k == name else v) for k, v in record.headers]
    return dataclasses.replace(record, headers=headers)


def test_round_trip_gives_back_the_event(
    intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    event = submitted()
    record = intake_codec.encode(event, subject=str(event.complaint_id))
    inbound = triage_codec.decode(record.topic, record.key, record.headers, record.value)
    assert inbound.data == event
    assert inbound.envelope.subject == str(event.complaint_id)
    assert record.key == str(event.complaint_id).encode()


def test_nothing_readable_on_the_wire(intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    wire = record.value + b"".join(v for _, v in record.headers) + (record.key or b"")
    assert MARKER.encode() not in wire
    assert b"example.org" not in wire


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("ce_id", b"018f0000-0000-7000-8000-000000000000"),
        ("ce_source", b"/heard/intake2"),
        ("ce_subject", b"another-complaint"),
        ("ce_time", b"2020-01-01T00:00:00+00:00"),
        ("ce_keyid", b"complaints-2"),
        ("traceparent", b"00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    ],
)
def test_tampered_attribute_is_rejected(
    intake_codec: EventCodec, header: str, value: bytes
) -> None:
    record = _with_header(_encoded(intake_codec), header, value)
    with pytest.raises(EventRejected):
        _decode(intake_codec, record)


def test_tampered_type_is_rejected(intake_codec: EventCodec) -> None:
    record = _with_header(_encoded(intake_codec), "ce_type", b"heard.complaint.triaged.v1")
    with pytest.raises(ProducerNotAllowed):
        _decode(intake_codec, record)


def test_unknown_type_is_rejected(intake_codec: EventCodec) -> None:
    record = _with_header(_encoded(intake_codec), "ce_type", b"heard.complaint.exploded.v9")
    with pytest.raises(UnknownEventType):
        _decode(intake_codec, record)


def test_flipped_ciphertext_bit_is_rejected(intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    damaged = bytearray(record.value)
    damaged[-1] ^= 0x01
    with pytest.raises(SignatureInvalid):
        _decode(intake_codec, dataclasses.replace(record, value=bytes(damaged)))


def test_forged_signature_is_rejected(intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    forged = base64.b64encode(bytes(64)).decode().encode()
    with pytest.raises(SignatureInvalid):
        _decode(intake_codec, _with_header(record, "ce_signature", forged))


@pytest.mark.parametrize("cut", [slice(0, 63), slice(0, 32), slice(1, 64)])
def test_signature_of_the_wrong_length_is_rejected(intake_codec: EventCodec, cut: slice) -> None:
    # libsodium checks signature and message as one buffer: a short signature must never
    # borrow the message's first bytes.
    record = _encoded(intake_codec)
    signature = base64.b64decode(dict(record.headers)["ce_signature"])
    shortened = base64.b64encode(signature[cut]).decode().encode()
    with pytest.raises(SignatureInvalid):
        _decode(intake_codec, _with_header(record, "ce_signature", shortened))


def test_a_signature_with_trailing_bytes_is_rejected(intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    signature = base64.b64decode(dict(record.headers)["ce_signature"])
    padded = base64.b64encode(signature + b"\x00").decode().encode()
    with pytest.raises(SignatureInvalid):
        _decode(intake_codec, _with_header(record, "ce_signature", padded))


def test_non_base64_signature_is_rejected(intake_codec: EventCodec) -> None:
    record = _with_header(_encoded(intake_codec), "ce_signature", b"not base64 !!")
    with pytest.raises(SignatureInvalid):
        _decode(intake_codec, record)


def test_changed_key_is_rejected(intake_codec: EventCodec) -> None:
    record = dataclasses.replace(_encoded(intake_codec), key=b"someone-else")
    with pytest.raises(MalformedEnvelope):
        _decode(intake_codec, record)


def test_record_moved_to_another_topic_is_rejected(intake_codec: EventCodec) -> None:
    record = dataclasses.replace(_encoded(intake_codec), topic="triage")
    with pytest.raises(MalformedEnvelope):
        _decode(intake_codec, record)


def test_missing_headers_are_malformed(intake_codec: EventCodec) -> None:
    record = _encoded(intake_codec)
    stripped = [(k, v) for k, v in record.headers if k != "ce_subject"]
    with pytest.raises(MalformedEnvelope):
        _decode(intake_codec, dataclasses.replace(record, headers=stripped))


def test_non_utf8_header_is_malformed(intake_codec: EventCodec) -> None:
    record = _with_header(_encoded(intake_codec), "ce_id", b"\xff\xfe")
    with pytest.raises(MalformedEnvelope):
        _decode(intake_codec, record)


def test_service_cannot_emit_another_services_event(triage_codec: EventCodec) -> None:
    with pytest.raises(ProducerNotAllowed):
        triage_codec.encode(submitted(), subject="x")


def _resigned(record: KafkaRecord, keyring: FileKeyring, as_service: str) -> KafkaRecord:
    """The same sealed event, re-attributed to and correctly signed by another service."""
    record = _with_header(record, "ce_source", f"/heard/{as_service}".encode())
    envelope, _ = envelope_from_headers(record.headers)
    associated = envelope.associated_data(record.topic, record.key)
    signature = signing.sign(keyring.signing_key(as_service), associated, record.value)
    return _with_header(record, "ce_signature", base64.b64encode(signature))


def test_wrong_producer_with_valid_signature_is_rejected(
    intake_codec: EventCodec, keyring: FileKeyring
) -> None:
    record = _resigned(_encoded(intake_codec), keyring, "triage")
    with pytest.raises(ProducerNotAllowed):
        _decode(intake_codec, record)


def _sealed_by_intake(
    keyring: FileKeyring, plaintext: bytes, key_id: str | None = None
) -> KafkaRecord:
    """A correctly signed record whose sealed payload is `plaintext`."""
    template = _encoded(EventCodec(keyring, "intake"))
    if key_id is not None:
        template = _with_header(template, "ce_keyid", key_id.encode())
    envelope, _ = envelope_from_headers(template.headers)
    associated = envelope.associated_data(template.topic, template.key)
    data_key = keyring.current_data_key("complaints").secret
    value = aead.seal(data_key, plaintext, associated)
    signature = signing.sign(keyring.signing_key("intake"), associated, value)
    signed = _with_header(template, "ce_signature", base64.b64encode(signature))
    return dataclasses.replace(signed, value=value)


def test_invalid_payload_is_rejected_without_echoing_it(
    intake_codec: EventCodec, keyring: FileKeyring
) -> None:
    record = _sealed_by_intake(keyring, b'{"narrative": "' + MARKER.encode() + b'"}')
    with pytest.raises(InvalidEventData) as caught:
        _decode(intake_codec, record)
    assert MARKER not in str(caught.value)
    assert "complaint_id" in caught.value.detail


def test_an_unknown_key_id_is_a_transient_wait_not_a_dead_letter(
    intake_codec: EventCodec, keyring: FileKeyring
) -> None:
    # Signed by the real producer, so a rotation not distributed here yet: wait, then retry.
    record = _sealed_by_intake(keyring, b"{}", key_id="complaints-99")
    with pytest.raises(KeyNotYetKnown):
        _decode(intake_codec, record)


def test_rotated_keys_still_open_old_events(keyring: FileKeyring, intake_codec: EventCodec) -> None:
    old = _encoded(intake_codec)
    new_id = keyring.rotate("complaints")
    new = _encoded(intake_codec)
    assert envelope_from_headers(new.headers)[0].keyid == new_id
    assert envelope_from_headers(old.headers)[0].keyid != new_id
    _decode(intake_codec, old)
    _decode(intake_codec, new)
