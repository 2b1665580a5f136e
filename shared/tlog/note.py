"""C2SP signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint). Pure.

    checkpoint  = origin "\\n" decimal(size) "\\n" base64(root hash) "\\n" *(extension "\\n")
    note        = text "\\n" 1*("— " name " " base64(key id || signature) "\\n")
    key id      = SHA-256(name "\\n" 0x01 || Ed25519 public key)[:4]
    verifier    = name "+" hex(key id) "+" base64(0x01 || Ed25519 public key)

The signature covers `text` (which ends in a newline). These are the formats of Go's
golang.org/x/mod/sumdb/note, which the oracle test checks us against.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.tlog.errors import BadCheckpoint

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
_NAME = re.compile(r"[^\s+]{1,256}")
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_NOTE = 1 << 16


@dataclass(frozen=True)
class Verifier:
    """A signer's name and Ed25519 public key, as a verifier key string names them."""

    name: str
    public: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte id that tags this key's signatures."""
        return key_id(self.name, self.public)

    def encode(self) -> str:
        """The `<name>+<hash>+<key>` string that oversight bodies pin."""
        raw = base64.b64encode(ED25519 + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its size and its root hash."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The checkpoint's text, the part a signature covers."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def key_id(name: str, public: bytes) -> bytes:
    """The signed-note key id of an Ed25519 key named `name`."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of `key`'s public half."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_of(name: str, key: Ed25519PrivateKey) -> Verifier:
    """The verifier for signatures `key` makes under `name`."""
    return Verifier(name, public_bytes(key))


def parse_verifier(text: str) -> Verifier:
    """Read a `<name>+<hash>+<key>` verifier key; BadCheckpoint if it is not one."""
    name, _, rest = text.strip().partition("+")
    hash_hex, _, rest = rest.partition("+")  # the base64 key may itself hold a "+"
    try:
        raw = base64.b64decode(rest, validate=True)
        wanted = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError):
        raise BadCheckpoint("the verifier key is not name+hash+key") from None
    if not _NAME.fullmatch(name) or len(raw) != 33 or raw[:1] != ED25519:
        raise BadCheckpoint("the verifier key is not an Ed25519 signed-note key")
    verifier = Verifier(name, raw[1:])
    if verifier.key_id != wanted:
        raise BadCheckpoint("the verifier key's hash does not match its name and key")
    return verifier


def sign(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """`text` as a signed note carrying `key`'s signature under `name`."""
    signature = key.sign(text.encode())
    tag = base64.b64encode(key_id(name, public_bytes(key)) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {tag}\n"


def split(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A note's text and its signature lines as (name, key id || signature)."""
    if len(note) > MAX_NOTE or not note.endswith("\n"):
        raise BadCheckpoint("the note is too long or does not end in a newline")
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise BadCheckpoint("the note has no signature block")
    lines = []
    for line in signatures[:-1].split("\n"):
        name, _, tag = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            raw = base64.b64decode(tag, validate=True)
        except binascii.Error:
            raise BadCheckpoint("a signature line is not base64") from None
        if not line.startswith(SIGNATURE_PREFIX) or not _NAME.fullmatch(name) or len(raw) < 5:
            raise BadCheckpoint("a signature line is malformed")
        lines.append((name, raw))
    return text + "\n", lines


def open_note(note: str, verifier: Verifier) -> str:
    """The text of `note` if `verifier` signed it; BadCheckpoint otherwise."""
    text, signatures = split(note)
    public = Ed25519PublicKey.from_public_bytes(verifier.public)
    for name, raw in signatures:
        if name == verifier.name and raw[:4] == verifier.key_id:
            try:
                public.verify(raw[4:], text.encode())
            except InvalidSignature:
                raise BadCheckpoint("the log's signature does not verify") from None
            return text
    raise BadCheckpoint("the note carries no signature by the log's key")


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's text (extension lines are allowed and ignored)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not _SIZE.fullmatch(lines[1]):
        raise BadCheckpoint("the checkpoint is not origin, size, root hash")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        raise BadCheckpoint("the checkpoint's root hash is not base64") from None
    if len(root) != 32 or not lines[0]:
        raise BadCheckpoint("the checkpoint's origin or root hash is wrong")
    return Checkpoint(lines[0], int(lines[1]), root)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in `note`, once its signature by `verifier` checks out."""
    checkpoint = parse_checkpoint(open_note(note, verifier))
    if checkpoint.origin != verifier.name:
        raise BadCheckpoint("the checkpoint names another log")
    return checkpoint
