"""CloudEvents 1.0 attributes and their Kafka binary-mode headers.

Each attribute is a `ce_<name>` header except `datacontenttype` (the `content-type`
header); the value carries the sealed data. The W3C `traceparent` travels as its own
header. Only opaque ids ever appear here: everything about a child is in the sealed value.

An event may carry the extension attribute `commitment` (64 hex digits): a salted
commitment that audit logs as a leaf of its own (`shared.tlog.commitment`), signed with the
rest of the attributes and readable without any data key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.errors import MalformedEnvelope

SPECVERSION = "1.0"
SEALED_CONTENT_TYPE = "application/vnd.heard.sealed+octet-stream"
TRACEPARENT_HEADER = "traceparent"
SIGNATURE_HEADER = "ce_signature"
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_REQUIRED = ("id", "source", "type", "subject", "time", "keyid")
# Every `ce_*` header an envelope may carry: the required ones, the optional commitment.
CE_HEADERS = frozenset(
    {*(f"ce_{n}" for n in (*_REQUIRED, "specversion", "commitment")), SIGNATURE_HEADER}
)

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class Envelope:
    """An event's attributes: everything but the sealed data and the signature."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    keyid: str
    traceparent: str | None = None
    commitment: str | None = None

    @property
    def dedupe_key(self) -> str:
        """`source` + `id`: unique per event, stable across redeliveries."""
        return f"{self.source} {self.id}"

    @property
    def producer(self) -> str:
        """The producing service's name, the last segment of `source`."""
        return self.source.rstrip("/").rsplit("/", 1)[-1]

    def attributes(self) -> dict[str, str]:
        """The CloudEvents attributes as strings, as they travel."""
        attributes = {
            "specversion": SPECVERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": render_time(self.time),
            "datacontenttype": SEALED_CONTENT_TYPE,
            "keyid": self.keyid,
        }
        if self.commitment is not None:
            attributes["commitment"] = self.commitment
        return attributes

    def associated_data(self, topic: str, key: bytes | None) -> bytes:
        """Canonical bytes of everything the ciphertext and signature are bound to."""
        bound = {
            "attributes": self.attributes(),
            "topic": topic,
            "key": key.hex() if key is not None else None,
            "traceparent": self.traceparent,
        }
        return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_headers(self, signature: str) -> list[tuple[str, bytes]]:
        """Kafka headers in CloudEvents binary mode, plus signature and trace context."""
        headers = [
            ("content-type" if name == "datacontenttype" else f"ce_{name}", value.encode())
            for name, value in self.attributes().items()
        ]
        headers.append((SIGNATURE_HEADER, signature.encode()))
        if self.traceparent:
            headers.append((TRACEPARENT_HEADER, self.traceparent.encode()))
        return headers


def render_time(time: datetime) -> str:
    """The one rendering of an event time: UTC, ISO 8601 with `+00:00`."""
    if time.utcoffset() is None:
        raise ValueError("an event time must be timezone-aware")
    return time.astimezone(UTC).isoformat()


def header_map(headers: Headers) -> dict[str, str]:
    """Headers as text; a header that is not UTF-8 makes the envelope malformed."""
    try:
        return {name.lower(): value.decode("utf-8") for name, value in headers}
    except (UnicodeDecodeError, AttributeError):
        raise MalformedEnvelope("header is not UTF-8") from None


def _check_canonical_names(headers: Headers) -> None:
    """Refuse repeated, case-variant or unknown `ce_*` headers (see the module docstring)."""
    seen: set[str] = set()
    for name, _ in headers:
        lowered = name.lower() if isinstance(name, str) else ""
        if lowered in seen:
            raise MalformedEnvelope(f"header {lowered[:40]!r} repeated")
        seen.add(lowered)
        if name != lowered:
            raise MalformedEnvelope("header names must be lower case")
        if lowered.startswith("ce_") and lowered not in CE_HEADERS:
            raise MalformedEnvelope(f"unknown header {lowered[:40]!r}")


def _parse_time(text: str) -> datetime:
    try:
        time = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedEnvelope("time is not RFC 3339") from None
    if time.utcoffset() != timedelta(0) or time.isoformat() != text:
        raise MalformedEnvelope("time is not in its canonical UTC rendering")
    return time


def envelope_from_headers(headers: Headers) -> tuple[Envelope, str]:
    """Parse the envelope and the signature from Kafka headers in their canonical form."""
    _check_canonical_names(headers)
    found = header_map(headers)
    missing = [n for n in (*_REQUIRED, "specversion") if f"ce_{n}" not in found]
    if missing or SIGNATURE_HEADER not in found:
        raise MalformedEnvelope(f"missing {', '.join(missing) or 'signature'}")
    if found["ce_specversion"] != SPECVERSION or found.get("content-type") != SEALED_CONTENT_TYPE:
        raise MalformedEnvelope("unsupported specversion or content type")
    time = _parse_time(found["ce_time"])
    commitment = found.get("ce_commitment")
    if commitment is not None and not _COMMITMENT.fullmatch(commitment):
        raise MalformedEnvelope("commitment is not 64 hex digits")
    envelope = Envelope(
        id=found["ce_id"],
        source=found["ce_source"],
        type=found["ce_type"],
        subject=found["ce_subject"],
        time=time,
        keyid=found["ce_keyid"],
        traceparent=found.get(TRACEPARENT_HEADER),
        commitment=commitment,
    )
    return envelope, found[SIGNATURE_HEADER]
