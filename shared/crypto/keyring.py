"""Where keys come from: an interface, and the file-backed keyring for a single machine.

Production fills `Keyring` from a KMS or Vault. The file backend reads one JSON document
(0600). `heard keys init` gives each service its own document holding only what that service
needs (shared.crypto.keyfiles): its own signing key, the other services' public keys, the data
keys of the topics it produces or reads, its own secrets. A complete document (every key)
exists only in tests and tools, and a production process refuses one.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from shared.crypto.aead import new_data_key
from shared.errors import ConfigurationError, KeyringError

FORMAT = "heard-keyring/1"
TOPICS = ("complaints", "triage", "cases", "statistics", "audit")
SERVICES = ("intake", "triage", "casework", "audit")


@dataclass(frozen=True)
class DataKey:
    """A symmetric key for one topic, named by an id that travels with each event."""

    key_id: str
    secret: bytes


class Keyring(Protocol):
    """What the bus and auth need from a key store."""

    def current_data_key(self, topic: str) -> DataKey:
        """The key new events on `topic` are encrypted under."""
        ...

    def data_key(self, topic: str, key_id: str) -> DataKey:
        """Any key, current or retired, that `topic` ever used."""
        ...

    def signing_key(self, service: str) -> Ed25519PrivateKey:
        """The private key `service` signs its events with."""
        ...

    def verify_key(self, service: str) -> Ed25519PublicKey:
        """The public key that checks `service`'s signatures."""
        ...

    def token_key(self) -> bytes:
        """The MAC key for staff bearer tokens."""
        ...

    def secret(self, name: str, key_id: str | None = None) -> DataKey:
        """A named, versioned secret of one service (`<service>/<purpose>`): the current
        version when `key_id` is None, else that version (old data stays readable)."""
        ...

    def reload(self) -> bool:
        """Read the keys again from their store (a new key was distributed); True if changed."""
        ...


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class FileKeyring:
    """A keyring held in one JSON document (single-machine deployments and tests)."""

    def __init__(self, document: dict[str, Any], path: Path | None = None) -> None:
        if document.get("format") != FORMAT:
            raise ConfigurationError("keyring has an unknown format")
        self._doc = document
        self._path = path
        self._signing: dict[str, Ed25519PrivateKey] = {}
        self._verifying: dict[str, Ed25519PublicKey] = {}

    @property
    def holder(self) -> str | None:
        """The one service this keyring belongs to; None for a complete keyring."""
        holder: str | None = self._doc.get("service")
        return holder

    @classmethod
    def load(cls, path: Path) -> FileKeyring:
        """Read a keyring file, refusing one that others can read."""
        if not path.exists():
            raise ConfigurationError(f"no keyring at {path}: run `heard keys init`")
        if path.stat().st_mode & 0o077:
            raise ConfigurationError(f"keyring {path} must not be readable by others (chmod 600)")
        return cls(json.loads(path.read_text("utf-8")), path)

    def reload(self) -> bool:
        """Read the file again; True if its keys changed."""
        if self._path is None:
            return False
        fresh = FileKeyring.load(self._path).document()
        if fresh == self._doc:
            return False
        self._replace(fresh)
        return True

    def _replace(self, document: dict[str, Any]) -> None:
        """Hold `document` from now on, forgetting the keys parsed from the old one."""
        self._doc = document
        self._signing.clear()
        self._verifying.clear()

    def current_data_key(self, topic: str) -> DataKey:
        """The key new events on `topic` are encrypted under."""
        entry = self._topic(topic)
        return self.data_key(topic, entry["current"])

    def data_key(self, topic: str, key_id: str) -> DataKey:
        """Any key, current or retired, that `topic` ever used."""
        keys = self._topic(topic)["keys"]
        if key_id not in keys:
            raise KeyringError(f"no key {key_id!r} for topic {topic!r}")
        return DataKey(key_id, _unb64(keys[key_id]))

    def signing_key(self, service: str) -> Ed25519PrivateKey:
        """The private key `service` signs its events with (parsed once)."""
        if service not in self._signing:
            keys = self._doc["signing_keys"]
            if service not in keys:
                raise KeyringError(f"no signing key for {service!r}")
            self._signing[service] = Ed25519PrivateKey.from_private_bytes(_unb64(keys[service]))
        return self._signing[service]

    def verify_key(self, service: str) -> Ed25519PublicKey:
        """The public key that checks `service`'s signatures (parsed once)."""
        if service not in self._verifying:
            public: dict[str, str] = self._doc.get("verify_keys", {})
            if service in public:
                self._verifying[service] = Ed25519PublicKey.from_public_bytes(
                    _unb64(public[service])
                )
            else:
                self._verifying[service] = self.signing_key(service).public_key()
        return self._verifying[service]

    def token_key(self) -> bytes:
        """The MAC key for staff bearer tokens."""
        return _unb64(self._doc["token_key"])

    def secret(self, name: str, key_id: str | None = None) -> DataKey:
        """A named, versioned secret: the current version, or the version `key_id`."""
        secrets: dict[str, dict[str, Any]] = self._doc.get("secrets", {})
        if name not in secrets:
            raise KeyringError(f"no secret {name!r}")
        chosen = key_id or secrets[name]["current"]
        if chosen not in secrets[name]["keys"]:
            raise KeyringError(f"no version {chosen!r} of secret {name!r}")
        return DataKey(chosen, _unb64(secrets[name]["keys"][chosen]))

    def rotate(self, topic: str) -> str:
        """Add a fresh current key for `topic`; old keys stay so old events still open."""
        entry = self._topic(topic)
        key_id = f"{topic}-{len(entry['keys']) + 1}"
        entry["keys"][key_id] = _b64(new_data_key())
        entry["current"] = key_id
        return key_id

    def document(self) -> dict[str, Any]:
        """The JSON document, for saving."""
        return self._doc

    def _topic(self, topic: str) -> dict[str, Any]:
        topics: dict[str, dict[str, Any]] = self._doc["data_keys"]
        if topic not in topics:
            raise KeyringError(f"no data keys for topic {topic!r}")
        return topics[topic]


def _private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


# Each service's own secrets: `at-rest` wraps the per-complaint data keys of what it stores,
# `lookup` keys the hashes it finds equal values by; intake's receipt codes have their own.
SERVICE_SECRETS = ("at-rest", "lookup")
EXTRA_SECRETS = ("intake/receipt-code",)


def _versioned(name: str) -> dict[str, Any]:
    key_id = f"{name.replace('/', '-')}-1"
    return {"current": key_id, "keys": {key_id: _b64(os.urandom(32))}}


def _secret_names() -> list[str]:
    return [f"{s}/{p}" for s in SERVICES for p in SERVICE_SECRETS] + list(EXTRA_SECRETS)


def new_keyring_document() -> dict[str, Any]:
    """A complete, fresh keyring: one data key per topic, one signing key per service."""
    return {
        "secrets": {name: _versioned(name) for name in _secret_names()},
        "format": FORMAT,
        "data_keys": {
            t: {"current": f"{t}-1", "keys": {f"{t}-1": _b64(new_data_key())}} for t in TOPICS
        },
        "signing_keys": {s: _b64(_private_bytes(Ed25519PrivateKey.generate())) for s in SERVICES},
        "token_key": _b64(os.urandom(32)),
    }


def save_keyring_file(path: Path, document: dict[str, Any]) -> None:
    """Write a keyring atomically and durably, 0600 from the first byte.

    A fresh temporary file (exclusive create: never one someone else prepared), fsynced, renamed
    over the old one, and the directory fsynced: after a crash the file is the old keys or the
    new ones, never a torn mix.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def init_keyring_file(path: Path) -> None:
    """Create a keyring file unless one exists (never overwrite live keys)."""
    if path.exists():
        raise ConfigurationError(f"keyring {path} already exists")
    save_keyring_file(path, new_keyring_document())
