"""Turn contract models into sealed, signed Kafka records and back.

Encoding: the payload's JSON is sealed with the topic's current AES-256-GCM key, with the
envelope (attributes, topic, key, trace context) as associated data; the producing service
signs associated data + ciphertext with Ed25519. Decoding checks, in order: envelope
shape, known type, trust policy, signature, decryption, contract validation; the first
failure raises the matching EventRejected.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import ValidationError

from shared.clock import utcnow
from shared.crypto import aead, signing
from shared.crypto.keyring import DataKey, Keyring
from shared.errors import (
    InvalidEventData,
    KeyNotYetKnown,
    KeyringError,
    MalformedEnvelope,
    ProducerNotAllowed,
    SignatureInvalid,
    UnknownEventType,
)
from shared.events.contracts import EventData, registry
from shared.events.envelope import Envelope, Headers, envelope_from_headers
from shared.events.record import KafkaRecord
from shared.ids import new_id

T = TypeVar("T", bound=EventData)

SOURCE_PREFIX = "/heard/"


@dataclass(frozen=True)
class Inbound(Generic[T]):
    """A verified, decrypted event: its envelope and its validated payload."""

    envelope: Envelope
    data: T


def source_of(service: str) -> str:
    """The CloudEvents `source` of a Heard service."""
    return f"{SOURCE_PREFIX}{service}"


def validation_summary(error: ValidationError) -> str:
    """Field locations and error kinds only: never the offending input values."""
    parts = [f"{'.'.join(str(p) for p in e['loc'])}:{e['type']}" for e in error.errors()]
    return "; ".join(parts[:10])


class EventCodec:
    """Seals and signs outbound events of one service; verifies and opens inbound ones."""

    def __init__(
        self,
        keyring: Keyring,
        service: str,
        contracts: Mapping[str, type[EventData]] | None = None,
    ) -> None:
        self._keyring = keyring
        self._service = service
        self._contracts = dict(contracts) if contracts is not None else registry()

    @property
    def keyring(self) -> Keyring:
        """The keys this codec seals, signs and verifies with."""
        return self._keyring

    def encode(
        self,
        data: EventData,
        *,
        subject: str,
        traceparent: str | None = None,
        time: datetime | None = None,
        commitment: bytes | None = None,
    ) -> KafkaRecord:
        """Seal and sign `data` as an event about `subject` (also the Kafka key), carrying
        `commitment` in the clear (signed) for audit to log, if given."""
        if data.producer != self._service:
            raise ProducerNotAllowed(f"{self._service} may not emit {data.type_name}")
        data_key = self._keyring.current_data_key(data.topic)
        envelope = Envelope(
            id=str(new_id()),
            source=source_of(self._service),
            type=data.type_name,
            subject=subject,
            time=time or utcnow(),
            keyid=data_key.key_id,
            traceparent=traceparent,
            commitment=commitment.hex() if commitment is not None else None,
        )
        key = subject.encode()
        associated = envelope.associated_data(data.topic, key)
        sealed = aead.seal(data_key.secret, data.model_dump_json().encode(), associated)
        signature = signing.sign(self._keyring.signing_key(self._service), associated, sealed)
        headers = envelope.to_headers(base64.b64encode(signature).decode("ascii"))
        return KafkaRecord(topic=data.topic, key=key, value=sealed, headers=headers)

    def verify(self, topic: str, key: bytes | None, headers: Headers, value: bytes) -> Envelope:
        """Check shape, type, trust policy and signature, without decrypting."""
        return self._verified(topic, key, headers, value)[0]

    def _verified(
        self, topic: str, key: bytes | None, headers: Headers, value: bytes
    ) -> tuple[Envelope, bytes]:
        """The verified envelope and the associated data its signature covers."""
        envelope, signature_text = envelope_from_headers(headers)
        contract = self._contract(envelope.type)
        if envelope.producer != contract.producer or envelope.source != source_of(
            contract.producer
        ):
            raise ProducerNotAllowed(f"{envelope.source} may not emit {envelope.type}")
        if contract.topic != topic:
            raise MalformedEnvelope(f"{envelope.type} does not belong on {topic}")
        if key != envelope.subject.encode():
            raise MalformedEnvelope("key does not match subject")
        try:
            signature = base64.b64decode(signature_text, validate=True)
            verify_key = self._keyring.verify_key(contract.producer)
        except (binascii.Error, ValueError):
            raise SignatureInvalid("signature is not base64") from None
        except KeyringError:
            raise SignatureInvalid("no public key for producer") from None
        associated = envelope.associated_data(topic, key)
        signing.verify(verify_key, signature, associated, value)
        return envelope, associated

    def decode(
        self, topic: str, key: bytes | None, headers: Headers, value: bytes
    ) -> Inbound[EventData]:
        """Verify, decrypt and validate an inbound record."""
        envelope, associated = self._verified(topic, key, headers, value)
        data_key = self._data_key(topic, envelope.keyid)
        plaintext = aead.open_sealed(data_key.secret, value, associated)
        try:
            data = self._contract(envelope.type).model_validate_json(plaintext)
        except ValidationError as error:
            raise InvalidEventData(validation_summary(error)) from None
        return Inbound(envelope=envelope, data=data)

    def _data_key(self, topic: str, key_id: str) -> DataKey:
        """The key `key_id` of `topic`, reloading the keyring once if it is new here.

        The signature (checked first) covers the key id, so an unknown id comes from the real
        producer: a rotation not distributed here yet, not a forgery.
        """
        try:
            return self._keyring.data_key(topic, key_id)
        except KeyringError:
            pass
        self._keyring.reload()
        try:
            return self._keyring.data_key(topic, key_id)
        except KeyringError:
            raise KeyNotYetKnown(f"{topic} key {key_id[:64]!r} not distributed here yet") from None

    def knows(self, type_name: str) -> bool:
        """Whether `type_name` is in a contract."""
        return type_name in self._contracts

    def _contract(self, type_name: str) -> type[EventData]:
        if type_name not in self._contracts:
            raise UnknownEventType(type_name[:100])
        return self._contracts[type_name]
