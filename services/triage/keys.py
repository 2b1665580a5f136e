"""Keyed hashes: how triage compares complaints and names without keeping any plaintext.

The key comes from one place, `hashing_key(runtime)`; it is derived with HKDF from the
keyring's token key under a triage-only label until each service holds keys of its own.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.triage.text import Tokens, normalise, words
from shared.runtime import Runtime

_LABEL = b"heard/triage/keyed-hashes/v1"


def hashing_key(runtime: Runtime) -> bytes:
    """Triage's key for keyed hashes (never used for anything else)."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL)
    return kdf.derive(runtime.keyring.token_key())


def keyed(key: bytes, text: str) -> str:
    """HMAC-SHA-256 of `text` under `key`, in hex."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(key: bytes, tokens: Tokens) -> str:
    """The same matter sent twice (re-ordered, re-cased, re-accented) gets the same hash."""
    return keyed(key, " ".join(sorted(set(tokens.words))))


def subject_hash(key: bytes, name: str) -> str:
    """A name (institution, place, person) folded, so spellings in case or accents agree."""
    return keyed(key, " ".join(words(normalise(name))))
