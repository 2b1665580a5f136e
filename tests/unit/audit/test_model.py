"""The leaf encoding is fixed, length-prefixed and unambiguous; dead letters are read safely."""

from __future__ import annotations

import hashlib

from services.audit.model import (
    RawRecord,
    dead_letter_key,
    dead_letter_traceparent,
    encode_leaf,
    entry_hash,
    leaf_hash,
    observe_dead_letter,
)
from tests.support.events import MARKER

COMPLAINT_ID = "018f2b9c-7d7e-7a3b-9c1d-2e3f4a5b6c7d"
EVENT_ID = "018f2b9c-7d7e-7a3b-9c1d-000000000001"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
SUBMITTED = "heard.complaint.submitted.v1"
ENTRY_VECTOR = "0703eb726717a448c003827d0c5a1f4f3d2f84b8799c13db24d123aed000cefd"
LEAF_VECTOR = "d188ee087fa820f0390ac0d5077d03e53a3d541582112dbb9b28db9ca10da1cc"


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def test_leaf_encoding_is_the_documented_layout() -> None:
    headers = [("ce_id", b"1"), ("traceparent", None)]
    expected = b"".join(
        [
            u64(19) + b"heard-audit-leaf-v1",
            u64(10) + b"complaints",
            b"\x01" + u64(1) + b"k",
            u64(2),
            u64(5) + b"ce_id" + b"\x01" + u64(1) + b"1",
            u64(11) + b"traceparent" + b"\x00",
            u64(1) + b"v",
        ]
    )
    assert encode_leaf("complaints", b"k", headers, b"v") == expected


def test_entry_and_leaf_hash_known_vectors() -> None:
    headers = [("ce_id", b"1"), ("traceparent", None)]
    record = encode_leaf("complaints", b"k", headers, b"v")
    entry = hashlib.sha256(record).digest()
    assert entry_hash("complaints", b"k", headers, b"v") == entry.hex() == ENTRY_VECTOR
    assert leaf_hash("complaints", b"k", headers, b"v") == LEAF_VECTOR
    assert hashlib.sha256(b"\x00" + entry).hexdigest() == LEAF_VECTOR


def test_moving_bytes_between_fields_changes_the_leaf() -> None:
    leaves = {
        leaf_hash("t", b"k", [("ab", b"c")], b"v"),
        leaf_hash("t", b"k", [("a", b"bc")], b"v"),
        leaf_hash("t", b"k", [("a", b"b"), ("c", b"")], b"v"),
        leaf_hash("t", b"k", [("ab", b"c")], b""),
        leaf_hash("t", b"k", [("ab", b"cv")], b""),
        leaf_hash("t", None, [("ab", b"c")], b"v"),
        leaf_hash("t", b"", [("ab", b"c")], b"v"),
        leaf_hash("t", b"k", [("ab", None)], b"v"),
        leaf_hash("t", b"k", [("ab", b"")], b"v"),
        leaf_hash("tk", b"", [("ab", b"c")], b"v"),
    }
    assert len(leaves) == 10


def test_header_order_is_part_of_the_leaf() -> None:
    forward = leaf_hash("t", None, [("a", b"1"), ("b", b"2")], b"v")
    backward = leaf_hash("t", None, [("b", b"2"), ("a", b"1")], b"v")
    assert forward != backward


def _dead_letter(consumer: str, *extra: tuple[str, bytes | None]) -> RawRecord:
    original = (
        ("ce_id", EVENT_ID.encode()),
        ("ce_source", b"/heard/intake"),
        ("ce_type", SUBMITTED.encode()),
        ("ce_subject", COMPLAINT_ID.encode()),
        ("traceparent", TRACEPARENT.encode()),
    )
    dlq = (("dlq_reason", b"bad-signature"), ("dlq_consumer", consumer.encode()))
    return RawRecord(
        topic="complaints.dlq",
        partition=0,
        offset=7,
        key=COMPLAINT_ID.encode(),
        headers=(*original, *dlq, *extra),
        value=b"sealed",
    )


def test_dead_letter_key_is_per_original_and_consumer() -> None:
    first = dead_letter_key(_dead_letter("triage", ("dlq_origin", b"complaints/0/1")))
    again = dead_letter_key(_dead_letter("triage", ("dlq_origin", b"complaints/2/9")))
    other = dead_letter_key(_dead_letter("casework"))
    assert first == again != other
    assert first.startswith("dlq:")
    assert len(first) <= 300  # the inbox's key column


def test_dead_letter_keeps_reason_consumer_and_opaque_ids() -> None:
    record = _dead_letter("triage")
    seen = observe_dead_letter(record, {SUBMITTED}.__contains__)
    assert (seen.dlq_reason, seen.dlq_consumer) == ("bad-signature", "triage")
    assert (seen.event_id, seen.source, seen.type, seen.subject) == (
        EVENT_ID,
        "/heard/intake",
        SUBMITTED,
        COMPLAINT_ID,
    )
    assert dead_letter_traceparent(record) == TRACEPARENT


def test_forged_dead_letter_attributes_are_not_kept() -> None:
    forged = RawRecord(
        topic="complaints.dlq",
        partition=0,
        offset=0,
        key=None,
        headers=(
            ("ce_id", f"Name {MARKER}".encode()),
            ("ce_source", b"/heard/intake\n"),
            ("ce_type", f"heard.{MARKER}.v1".encode()),
            ("ce_subject", b"\xff\xfe"),
            ("traceparent", MARKER.encode()),
            ("dlq_reason", f"see {MARKER}".encode()),
            ("dlq_consumer", None),
        ),
        value=b"",
    )
    seen = observe_dead_letter(forged, {SUBMITTED}.__contains__)
    assert (seen.event_id, seen.source, seen.type, seen.subject) == (None, None, None, None)
    assert (seen.dlq_reason, seen.dlq_consumer) == ("unknown", None)
    assert dead_letter_traceparent(forged) is None
    assert MARKER not in repr(seen)
