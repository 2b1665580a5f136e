"""Dead letters signed by the consumer that refused them, and checked by whoever reads them.

Anyone who can write to a `.dlq` topic could otherwise claim that a service refused an
event, and why. So the refusing consumer signs, with its own Ed25519 key, a statement of
who refused (its service name), why (reason and detail), where the record was (origin) and
which record it was (a SHA-256 over its logical topic, key, original headers and value,
each length-prefixed). Audit checks the statement before it logs a refusal; a dead letter
without one is `unsigned-dead-letter`, one whose signature does not verify (or names a
consumer nobody knows, or repeats a `dlq_*` header) is `forged-dead-letter`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.bus.topics import DLQ_SUFFIX
from shared.errors import KeyringError

REASON_HEADER = "dlq_reason"
DETAIL_HEADER = "dlq_detail"
CONSUMER_HEADER = "dlq_consumer"
ORIGIN_HEADER = "dlq_origin"
SIGNATURE_HEADER = "dlq_signature"
DLQ_PREFIX = "dlq_"
_DOMAIN = b"heard-dead-letter-v1"

SIGNED = "signed"
UNSIGNED = "unsigned-dead-letter"
FORGED = "forged-dead-letter"

RecordHeaders = Sequence[tuple[str, bytes | None]]
# A service's public key by its name; raises KeyringError for a service nobody knows.
VerifyKey = Callable[[str], Ed25519PublicKey]


@dataclass(frozen=True)
class Refusal:
    """What the refusing consumer states about a record it dead-lettered."""

    consumer: str
    reason: str
    detail: str
    origin: str
    record: str  # hex SHA-256 of the original record (`record_digest`)

    def statement(self) -> bytes:
        """The canonical bytes that are signed."""
        fields = {
            "consumer": self.consumer,
            "reason": self.reason,
            "detail": self.detail,
            "origin": self.origin,
            "record": self.record,
        }
        return _DOMAIN + b"\x00" + json.dumps(fields, sort_keys=True).encode()

    def headers(self, key: Ed25519PrivateKey) -> list[tuple[str, bytes]]:
        """The `dlq_*` headers, signature last, as the consumer appends them."""
        signature = base64.b64encode(key.sign(self.statement()))
        return [
            (REASON_HEADER, self.reason.encode()),
            (DETAIL_HEADER, self.detail.encode()),
            (CONSUMER_HEADER, self.consumer.encode()),
            (ORIGIN_HEADER, self.origin.encode()),
            (SIGNATURE_HEADER, signature),
        ]


def _field(raw: bytes) -> bytes:
    return len(raw).to_bytes(8, "big") + raw


def _optional(raw: bytes | None) -> bytes:
    return b"\x00" if raw is None else b"\x01" + _field(raw)


def record_digest(
    topic: str, key: bytes | None, headers: RecordHeaders, value: bytes | None
) -> str:
    """Hex SHA-256 of a record (logical topic), every part length-prefixed."""
    parts = [_field(topic.encode()), _optional(key), len(headers).to_bytes(8, "big")]
    parts += [_field(name.encode()) + _optional(raw) for name, raw in headers]
    parts.append(_optional(value))
    return hashlib.sha256(b"".join(parts)).hexdigest()


def original_headers(headers: RecordHeaders) -> list[tuple[str, bytes | None]]:
    """A dead letter's headers as the original record had them (without the `dlq_*` ones)."""
    return [(n, v) for n, v in headers if not n.lower().startswith(DLQ_PREFIX)]


def check_dead_letter(
    verify_key: VerifyKey,
    topic: str,
    key: bytes | None,
    headers: RecordHeaders,
    value: bytes | None,
) -> str:
    """SIGNED, UNSIGNED or FORGED for a record on dead-letter topic `topic` (logical);
    `verify_key` gives a service's public key (e.g. `Keyring.verify_key`)."""
    added = [(n.lower(), v) for n, v in headers if n.lower().startswith(DLQ_PREFIX)]
    found = dict(added)
    if SIGNATURE_HEADER not in found:
        return UNSIGNED
    if len(found) != len(added) or any(v is None for v in found.values()):
        return FORGED  # a repeated or empty `dlq_*` header: which one was signed?
    try:
        text = {name: (raw or b"").decode("utf-8") for name, raw in found.items()}
        signature = base64.b64decode(text[SIGNATURE_HEADER], validate=True)
        public = verify_key(text.get(CONSUMER_HEADER, ""))
        refusal = Refusal(
            consumer=text[CONSUMER_HEADER],
            reason=text[REASON_HEADER],
            detail=text.get(DETAIL_HEADER, ""),
            origin=text[ORIGIN_HEADER],
            record=record_digest(
                topic.removesuffix(DLQ_SUFFIX), key, original_headers(headers), value
            ),
        )
        public.verify(signature, refusal.statement())
    except (KeyError, UnicodeDecodeError, binascii.Error, KeyringError, InvalidSignature):
        return FORGED
    return SIGNED
