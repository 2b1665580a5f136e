"""AES-256-GCM sealing of event payloads, bound to their attributes as associated data."""

from __future__ import annotations

import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.errors import DecryptionFailed

NONCE_BYTES = 12
KEY_BYTES = 32


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


@functools.lru_cache(maxsize=256)
def _cipher(key: bytes) -> AESGCM:
    # One context per key, reused for every record sealed or opened under it.
    return AESGCM(key)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt `plaintext`; the result is nonce followed by ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Decrypt what `seal` produced; any change to data or associated data fails."""
    if len(sealed) <= NONCE_BYTES:
        raise DecryptionFailed("ciphertext too short")
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return _cipher(key).decrypt(nonce, body, associated_data)
    except InvalidTag:
        # `from None`: the library's traceback adds nothing and must not leak buffers.
        raise DecryptionFailed("authentication tag mismatch") from None
