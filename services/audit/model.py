"""Audit's pure rules: the leaf encoding, its hash, and what the log keeps of a record. No I/O.

The leaf encoding is public, so that an oversight body can recompute every leaf from the
records it reads off the bus, trusting nothing audit says. All integers are unsigned
64-bit big-endian; text is UTF-8:

    field(b)    = len(b) || b
    optional(b) = 0x00                  when absent (a null key or header value)
                | 0x01 || field(b)
    record      = field("heard-audit-leaf-v1") || field(topic) || optional(key)
                  || count(headers) || for each header, in order: field(name) || optional(value)
                  || field(value)
    entry       = SHA-256(record)                 (32 bytes: the log's entry, tlog-tiles)
    leaf hash   = SHA-256(0x00 || entry)          (RFC 9162 section 2.1.1)

`topic` is the logical topic (no deployment prefix). The value is the sealed ciphertext,
so a leaf proves what travelled without holding anything readable.

An event whose signed attributes carry a `commitment` also gets a leaf of the commitment's
own form (`shared.tlog.commitment`: entry = SHA-256(field("heard-audit-commitment-v1") ||
field(commitment))), right after its record's leaf, so a receipt holder can recompute it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from shared.bus.dead_letters import CONSUMER_HEADER, REASON_HEADER
from shared.bus.topics import DLQ_SUFFIX
from shared.events.envelope import TRACEPARENT_HEADER, Envelope
from shared.tlog.commitment import commitment_entry

LEAF_FORMAT = b"heard-audit-leaf-v1"
LEAF_PREFIX = b"\x00"
COMMITMENT_TYPE = "heard.audit.commitment"  # the type column of a commitment's own leaf
DLQ_HEADER_PREFIX = "dlq_"
UNKNOWN_REASON = "unknown"

RecordHeaders = Sequence[tuple[str, bytes | None]]

# A dead letter's attributes are unverified: the log keeps them only when they have the
# shape of an opaque id, so a forged record cannot write a child's details into it.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SOURCE = re.compile(r"/heard/[a-z]{1,32}")
_CODE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")


@dataclass(frozen=True)
class RawRecord:
    """A record as audit received it: where it was on the bus and exactly what it held."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: tuple[tuple[str, bytes | None], ...]
    value: bytes


@dataclass(frozen=True)
class Observation:
    """What the log keeps about one record: its entry, leaf hash and opaque metadata."""

    entry_hash: str
    leaf_hash: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    source: str | None
    type: str | None
    subject: str | None
    dlq_reason: str | None = None
    dlq_consumer: str | None = None


def _field(raw: bytes) -> bytes:
    return len(raw).to_bytes(8, "big") + raw


def _optional(raw: bytes | None) -> bytes:
    return b"\x00" if raw is None else b"\x01" + _field(raw)


def encode_leaf(topic: str, key: bytes | None, headers: RecordHeaders, value: bytes) -> bytes:
    """The canonical, unambiguous bytes of a whole record (see the module docstring)."""
    parts = [_field(LEAF_FORMAT), _field(topic.encode()), _optional(key)]
    parts.append(len(headers).to_bytes(8, "big"))
    parts.extend(_field(name.encode()) + _optional(raw) for name, raw in headers)
    parts.append(_field(value))
    return b"".join(parts)


def entry_hash(topic: str, key: bytes | None, headers: RecordHeaders, value: bytes) -> str:
    """The hex entry of a record in the log: SHA-256 of its canonical encoding."""
    return hashlib.sha256(encode_leaf(topic, key, headers, value)).hexdigest()


def leaf_of_entry(entry: str) -> str:
    """The hex RFC 9162 leaf hash of a hex entry."""
    return hashlib.sha256(LEAF_PREFIX + bytes.fromhex(entry)).hexdigest()


def leaf_hash(topic: str, key: bytes | None, headers: RecordHeaders, value: bytes) -> str:
    """The hex RFC 9162 leaf hash of a record."""
    return leaf_of_entry(entry_hash(topic, key, headers, value))


def _hashes(record: RawRecord) -> dict[str, str]:
    entry = entry_hash(record.topic, record.key, record.headers, record.value)
    return {"entry_hash": entry, "leaf_hash": leaf_of_entry(entry)}


def observe_event(record: RawRecord, envelope: Envelope) -> tuple[Observation, ...]:
    """What the log keeps of an event whose signature was verified: its record's leaf, and
    the leaf of the commitment it carries, if it carries one."""
    event = Observation(
        **_hashes(record),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        event_id=envelope.id,
        source=envelope.source,
        type=envelope.type,
        subject=envelope.subject,
    )
    if envelope.commitment is None:
        return (event,)
    entry = commitment_entry(bytes.fromhex(envelope.commitment)).hex()
    leaf = leaf_of_entry(entry)
    return event, replace(event, type=COMMITMENT_TYPE, entry_hash=entry, leaf_hash=leaf)


def _last(headers: RecordHeaders, name: str) -> bytes | None:
    found = [raw for header, raw in headers if header.lower() == name]
    return found[-1] if found else None


def _text(headers: RecordHeaders, name: str) -> str | None:
    raw = _last(headers, name)
    return raw.decode("utf-8", "replace") if raw is not None else None


def _kept(headers: RecordHeaders, name: str, pattern: re.Pattern[str]) -> str | None:
    text = _text(headers, name)
    return text if text is not None and pattern.fullmatch(text) else None


def original_headers(headers: RecordHeaders) -> list[tuple[str, bytes | None]]:
    """The headers the record had before it was dead-lettered."""
    return [(n, v) for n, v in headers if not n.lower().startswith(DLQ_HEADER_PREFIX)]


def dead_letter_traceparent(record: RawRecord) -> str | None:
    """The (unverified, well-formed) trace context the dead letter's original carried."""
    return _kept(original_headers(record.headers), TRACEPARENT_HEADER, _TRACEPARENT)


def dead_letter_key(record: RawRecord) -> str:
    """Dedupe key of a dead letter: its original record plus the consumer that refused it.

    Re-publishing the same dead letter is logged once per refusing consumer.
    """
    origin = record.topic.removesuffix(DLQ_SUFFIX)
    original = encode_leaf(origin, record.key, original_headers(record.headers), record.value)
    consumer = _optional(_last(record.headers, CONSUMER_HEADER))
    return "dlq:" + hashlib.sha256(consumer + original).hexdigest()


def observe_dead_letter(record: RawRecord, known_type: Callable[[str], bool]) -> Observation:
    """What the log keeps of a dead letter: attributes only where they look like ids."""
    original = original_headers(record.headers)
    declared = _text(original, "ce_type")
    return Observation(
        **_hashes(record),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        event_id=_kept(original, "ce_id", _UUID),
        source=_kept(original, "ce_source", _SOURCE),
        type=declared if declared is not None and known_type(declared) else None,
        subject=_kept(original, "ce_subject", _UUID),
        dlq_reason=_kept(record.headers, REASON_HEADER, _CODE) or UNKNOWN_REASON,
        dlq_consumer=_kept(record.headers, CONSUMER_HEADER, _CODE),
    )
