"""The salted commitment a receipt proves: what intake sends, audit logs and a child holds. Pure.

    field(b)    = u64be(len(b)) || b
    commitment  = SHA-256(field("heard-receipt-commitment-v1") || field(complaint id)
                          || field(submitted at, RFC 3339) || field(salt))
    entry       = SHA-256(field("heard-audit-commitment-v1") || field(commitment))
    leaf hash   = SHA-256(0x00 || entry)                        (RFC 9162)

The salt (32 random bytes) is known only to whoever holds the receipt, so the commitment on
the bus and in the log says nothing about the complaint: not its id, not its time. The
entry's own tag keeps a commitment leaf apart from the leaf of an event record
(`heard-audit-leaf-v1`), so no record can pass for a commitment or the reverse.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime

COMMITMENT_FORMAT = b"heard-receipt-commitment-v1"
ENTRY_FORMAT = b"heard-audit-commitment-v1"
SALT_BYTES = 32
HEX_COMMITMENT = re.compile(r"[0-9a-f]{64}")


def _field(raw: bytes) -> bytes:
    return len(raw).to_bytes(8, "big") + raw


def commitment(complaint_id: uuid.UUID, submitted_at: datetime, salt: bytes) -> bytes:
    """The 32-byte commitment to a complaint's id and submission time under `salt`."""
    parts = (COMMITMENT_FORMAT, str(complaint_id).encode(), submitted_at.isoformat().encode(), salt)
    return hashlib.sha256(b"".join(_field(part) for part in parts)).digest()


def commitment_entry(value: bytes) -> bytes:
    """The log entry (32 bytes) that records `value`."""
    return hashlib.sha256(_field(ENTRY_FORMAT) + _field(value)).digest()


def commitment_leaf(value: bytes) -> bytes:
    """The RFC 9162 leaf hash of the entry recording `value`."""
    return hashlib.sha256(b"\x00" + commitment_entry(value)).digest()
