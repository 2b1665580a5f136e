"""Keyed hashes: how triage compares complaints and names without keeping any plaintext.

The key comes from one place, `hashing_key(runtime)`: triage's own `triage/lookup` secret, which
no other service holds.
"""

from __future__ import annotations

import hashlib
import hmac

from services.triage.text import Tokens, normalise, words
from shared.runtime import Runtime


def hashing_key(runtime: Runtime) -> bytes:
    """Triage's key for keyed hashes (never used for anything else)."""
    return runtime.keyring.secret("triage/lookup").secret


def keyed(key: bytes, text: str) -> str:
    """HMAC-SHA-256 of `text` under `key`, in hex."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(key: bytes, tokens: Tokens) -> str:
    """The same matter sent twice (re-ordered, re-cased, re-accented) gets the same hash."""
    return keyed(key, " ".join(sorted(set(tokens.words))))


def subject_hash(key: bytes, name: str) -> str:
    """A name (institution, place, person) folded, so spellings in case or accents agree."""
    return keyed(key, " ".join(words(normalise(name))))
