"""Ed25519 cosignatures (c2sp.org/tlog-cosignature, cosignature/v1). Pure.

    key id    = SHA-256(name "\\n" 0x04 || Ed25519 public key)[:4]
    message   = "cosignature/v1\\n" "time " decimal(t) "\\n" || checkpoint body
    signature line = "— " name " " base64(key id || u64be(t) || Ed25519 signature)
    verifier key   = name "+" hex(key id) "+" base64(0x04 || public key)

A cosignature says: as of time t, this is the largest consistent tree the witness has seen
for the log, so a log that shows two histories to two readers is caught by the witnesses.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.tlog import note
from shared.tlog.errors import BadCheckpoint

COSIGNATURE_V1 = b"\x04"
MAX_TIME = (1 << 63) - 1


def key_id(name: str, public: bytes) -> bytes:
    """The key id of an Ed25519 cosigner key named `name`."""
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE_V1 + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    """The cosigner's vkey: `<name>+<key id>+base64(0x04 || key)`."""
    raw = base64.b64encode(COSIGNATURE_V1 + public).decode()
    return f"{name}+{key_id(name, public).hex()}+{raw}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    """(name, public key) of a cosigner vkey; BadCheckpoint if it is not one."""
    name, _, rest = text.strip().partition("+")
    hash_hex, _, material = rest.partition("+")
    try:
        raw = base64.b64decode(material, validate=True)
    except ValueError:
        raise BadCheckpoint("the witness key is not name+hash+key") from None
    if len(raw) != 33 or raw[:1] != COSIGNATURE_V1 or key_id(name, raw[1:]).hex() != hash_hex:
        raise BadCheckpoint("the witness key is not an Ed25519 cosignature/v1 key")
    return name, raw[1:]


def _message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """The signature line cosigning the checkpoint `body` at `timestamp` (seconds)."""
    signature = key.sign(_message(body, timestamp))
    tag = key_id(name, note.public_bytes(key)) + timestamp.to_bytes(8, "big") + signature
    return f"{note.SIGNATURE_PREFIX}{name} {base64.b64encode(tag).decode()}\n"


def cosigned_at(signed: str, name: str, public: bytes) -> int | None:
    """When the cosigner (`name`, `public`) cosigned the note `signed`, if it did and verifies."""
    body, lines = note.split(signed)
    wanted = key_id(name, public)
    for line_name, raw in lines:
        if line_name != name or raw[:4] != wanted or len(raw) != 4 + 8 + 64:
            continue
        timestamp = int.from_bytes(raw[4:12], "big")
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], _message(body, timestamp))
        except InvalidSignature:
            return None
        return timestamp if timestamp <= MAX_TIME else None
    return None
