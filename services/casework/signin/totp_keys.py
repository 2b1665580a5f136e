"""TOTP secrets sealed at rest under the sign-in process's own key.

A TOTP secret is a password that never changes: anyone who reads it can make every code.
So the database holds it only sealed (AES-256-GCM) under `staff-totp-key.json`, a key no
other process loads, and bound to its account's name, so a sealed secret copied onto another
account does not open. The key has versions: old ones still open what they sealed.
"""

from __future__ import annotations

from pathlib import Path

from shared.auth import load_totp_keys
from shared.crypto import aead
from shared.errors import DecryptionFailed


class TotpSealer:
    """Seals and opens the TOTP secrets of staff accounts."""

    def __init__(self, current: str, keys: dict[str, bytes]) -> None:
        self._current, self._keys = current, keys

    @classmethod
    def from_folder(cls, folder: Path) -> TotpSealer:
        """The sealer whose key is in the staff keys `folder`."""
        return cls(*load_totp_keys(folder))

    def seal(self, username: str, secret: str) -> tuple[str, bytes]:
        """The current key's id and `secret` sealed for `username`."""
        sealed = aead.seal(self._keys[self._current], secret.encode(), _bound(username))
        return self._current, sealed

    def open(self, username: str, key_id: str, sealed: bytes) -> str:
        """The secret `seal` sealed for `username`; DecryptionFailed if it is not that."""
        key = self._keys.get(key_id)
        if key is None:
            raise DecryptionFailed("unknown TOTP key version")
        return aead.open_sealed(key, sealed, _bound(username)).decode()


def _bound(username: str) -> bytes:
    return f"heard-totp-v1\x00{username}".encode()
