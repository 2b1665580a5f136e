"""Ed25519 signatures over an event's attributes and ciphertext."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.errors import SignatureInvalid

_DOMAIN = b"heard-event-signature-v1\x00"


def _message(associated_data: bytes, ciphertext: bytes) -> bytes:
    # Length-prefixing keeps the split between the two parts unambiguous.
    return _DOMAIN + len(associated_data).to_bytes(8, "big") + associated_data + ciphertext


def sign(key: Ed25519PrivateKey, associated_data: bytes, ciphertext: bytes) -> bytes:
    """Sign the attributes and the ciphertext together."""
    return key.sign(_message(associated_data, ciphertext))


def verify(
    key: Ed25519PublicKey, signature: bytes, associated_data: bytes, ciphertext: bytes
) -> None:
    """Raise SignatureInvalid unless `signature` covers exactly these bytes."""
    try:
        key.verify(signature, _message(associated_data, ciphertext))
    except InvalidSignature:
        raise SignatureInvalid("signature does not verify") from None
