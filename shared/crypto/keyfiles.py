"""Keyring files for a single machine: one per service, holding only what it needs.

`heard keys init` writes `<dir>/<service>.json` (0600) for every service and `<dir>/public.json`
(the services' public keys). A service's file holds its own Ed25519 signing key, every
service's public key, the data keys of exactly the topics it produces or reads (`holdings`,
which the CLI derives from the service registry), and its own secrets. So intake cannot sign
as triage or open `cases`, and audit holds no key to the topics that carry a child's words.

Rotation is two steps, so no consumer meets a key it does not know: `distribute` adds a new key
to every file holding the topic; `activate` makes it the one new events are sealed with.
(A consumer that meets an unknown key id anyway reloads its file and retries.)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.crypto.aead import new_data_key
from shared.crypto.keyring import (
    FORMAT,
    FileKeyring,
    new_keyring_document,
    save_keyring_file,
)
from shared.errors import ConfigurationError, KeyringError

PUBLIC_FILE = "public.json"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def public_keys(document: Mapping[str, Any]) -> dict[str, str]:
    """Every service's Ed25519 public key, base64, from a complete document."""
    full = FileKeyring(dict(document))
    return {
        service: _b64(full.verify_key(service).public_bytes(Encoding.Raw, PublicFormat.Raw))
        for service in document["signing_keys"]
    }


def service_view(
    document: Mapping[str, Any], service: str, topics: Iterable[str]
) -> dict[str, Any]:
    """The part of a complete keyring that `service` may hold, given the topics it uses."""
    wanted = set(topics)
    return {
        "format": document["format"],
        "service": service,
        "signing_keys": {service: document["signing_keys"][service]},
        "verify_keys": public_keys(document),
        "data_keys": {t: k for t, k in document["data_keys"].items() if t in wanted},
        "secrets": {
            name: value
            for name, value in document.get("secrets", {}).items()
            if name.startswith(f"{service}/")
        },
        "token_key": document["token_key"],
    }


def service_file(directory: Path, service: str) -> Path:
    """Where `service`'s keyring lives in `directory`."""
    return directory / f"{service}.json"


def init_keyring_dir(directory: Path, holdings: Mapping[str, Iterable[str]]) -> None:
    """Write one keyring per service (`holdings`: service -> topics it uses) and the public
    keys; refuses to touch a directory that already holds keyrings."""
    if any(service_file(directory, s).exists() for s in holdings):
        raise ConfigurationError(f"{directory} already holds keyrings")
    document = new_keyring_document()
    for service, topics in holdings.items():
        save_keyring_file(service_file(directory, service), service_view(document, service, topics))
    public = {"format": "heard-public-keys/1", "verify_keys": public_keys(document)}
    save_keyring_file(directory / PUBLIC_FILE, public)


def load_service_keyring(location: Path, service: str) -> FileKeyring:
    """`service`'s keyring: `<location>/<service>.json` when `location` is a directory; from
    Vault/OpenBao when the file at `location` is a locator (`shared.crypto.vault`); else the
    file at `location` (a complete keyring: tests and tools)."""
    if location.is_dir():
        return FileKeyring.load(service_file(location, service))
    if location.is_file() and location.suffix == ".json":
        # Imported here: the Vault backend builds on this module.
        from shared.crypto import vault

        if vault.is_locator(json.loads(location.read_text("utf-8"))):
            return vault.keyring_from_locator(location, service)
    return FileKeyring.load(location)


def _holders(directory: Path, topic: str) -> list[Path]:
    holders = []
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        if document.get("format") != FORMAT or "service" not in document:
            continue  # the public keys, the staff-token issuer's files
        if topic in document.get("data_keys", {}):
            holders.append(path)
    if not holders:
        raise KeyringError(f"no keyring in {directory} holds topic {topic!r}")
    return holders


def distribute_key(directory: Path, topic: str) -> str:
    """Step 1 of rotation: a new key for `topic` in every keyring holding it, not yet current."""
    holders = _holders(directory, topic)
    keys = FileKeyring.load(holders[0]).document()["data_keys"][topic]["keys"]
    key_id = f"{topic}-{len(keys) + 1}"
    secret = _b64(new_data_key())
    for path in holders:
        document = FileKeyring.load(path).document()
        document["data_keys"][topic]["keys"][key_id] = secret
        save_keyring_file(path, document)
    return key_id


def activate_key(directory: Path, topic: str, key_id: str) -> None:
    """Step 2 of rotation: new events on `topic` are sealed with `key_id` from now on."""
    holders = _holders(directory, topic)
    for path in holders:
        document = FileKeyring.load(path).document()
        if key_id not in document["data_keys"][topic]["keys"]:
            raise KeyringError(f"{path.name} has no key {key_id!r}: distribute it first")
    for path in holders:
        document = FileKeyring.load(path).document()
        document["data_keys"][topic]["current"] = key_id
        save_keyring_file(path, document)
