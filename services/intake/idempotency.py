"""Idempotent submission: a retried or double-clicked submission returns the first one's
complaint and receipt, never a second complaint.

The client's key is stored only as a keyed hash. The receipt code it must be shown again is
sealed under a key derived from the client's key (with intake's lookup secret), so the
database alone cannot give the code back: only the client that sent the key can.
"""

from __future__ import annotations

from shared.crypto import aead
from shared.crypto.at_rest import LookupHasher

MAX_KEY_CHARS = 200
_BOUND = b"heard-intake-idempotent-receipt-v1"


class IdempotencyKeys:
    """Hashes idempotency keys, and seals or opens the receipt code kept under one."""

    def __init__(self, lookups: LookupHasher) -> None:
        self._lookups = lookups

    def digest(self, key: str) -> str:
        """The keyed hash the key is found by."""
        return self._lookups.digest("idempotency-key", key)

    def seal_code(self, key: str, code: str) -> bytes:
        """`code` sealed so that only `key` opens it."""
        return aead.seal(self._sealing_key(key), code.encode("ascii"), _BOUND)

    def open_code(self, key: str, sealed: bytes) -> str:
        """The receipt code sealed under `key`."""
        return aead.open_sealed(self._sealing_key(key), sealed, _BOUND).decode("ascii")

    def _sealing_key(self, key: str) -> bytes:
        return bytes.fromhex(self._lookups.digest("idempotency-seal", key))
