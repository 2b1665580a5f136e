"""Keyrings kept in HashiCorp Vault or OpenBao (KV version 2) instead of files.

The same documents as the file backend (`shared.crypto.keyfiles`): one secret per service at
`<prefix>/<service>` holding only what that service may hold, and `<prefix>/public` with the
services' public keys. A Vault policy per service then grants each process read access to its
own path alone, so least privilege is enforced by the key store as well as by what is in it.

Writes are check-and-set against the version read, so two operators rotating at once cannot
overwrite each other's keys: the second is refused and tries again. `VaultKeyring.reload`
reads the secret again, as `FileKeyring.reload` reads its file, so a consumer that meets a key
id it does not know yet finds a key distributed through Vault.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import hvac
from hvac.exceptions import InvalidPath, InvalidRequest

from shared.crypto.keyfiles import public_keys, service_view
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.errors import ConfigurationError, KeyringError

LOCATOR_FORMAT = "heard-vault/1"
PUBLIC = "public"
DEFAULT_MOUNT = "secret"
DEFAULT_PREFIX = "heard/keyrings"


class VaultStore:
    """Keyring documents in one KV v2 mount under `prefix`, read and written with `client`."""

    def __init__(
        self, client: hvac.Client, *, mount: str = DEFAULT_MOUNT, prefix: str = DEFAULT_PREFIX
    ) -> None:
        self._kv = client.secrets.kv.v2
        self._mount = mount
        self.prefix = prefix.strip("/")

    def read(self, name: str) -> tuple[dict[str, Any], int]:
        """The document stored as `name`, and its version; ConfigurationError if none."""
        try:
            answer = self._kv.read_secret_version(
                path=self._path(name), mount_point=self._mount, raise_on_deleted_version=True
            )
        except InvalidPath:
            raise ConfigurationError(f"no keyring {name!r} in the key store") from None
        return dict(answer["data"]["data"]), int(answer["data"]["metadata"]["version"])

    def write(self, name: str, document: Mapping[str, Any], *, version: int) -> None:
        """Store `document` as `name` if it is still at `version` (0: must not exist yet)."""
        try:
            self._kv.create_or_update_secret(
                path=self._path(name), secret=dict(document), cas=version, mount_point=self._mount
            )
        except InvalidRequest:
            raise KeyringError(f"keyring {name!r} changed meanwhile; read it again") from None

    def _path(self, name: str) -> str:
        return f"{self.prefix}/{name}"


class VaultKeyring(FileKeyring):
    """A service's keyring read from a `VaultStore`; `reload` reads it again."""

    def __init__(self, store: VaultStore, service: str) -> None:
        document, self.version = store.read(service)
        super().__init__(document)
        self._store = store
        self._service = service

    def reload(self) -> bool:
        """Read the secret again; True if its keys changed."""
        document, version = self._store.read(self._service)
        if version == self.version:
            return False
        self.version = version
        changed = document != self.document()
        self._replace(document)
        return changed


def init_vault_keyrings(store: VaultStore, holdings: Mapping[str, Iterable[str]]) -> None:
    """Store one keyring per service (`holdings`: service -> topics it uses) and the public
    keys; refuses (KeyringError) where a keyring exists already."""
    document = new_keyring_document()
    for service, topics in holdings.items():
        store.write(service, service_view(document, service, topics), version=0)
    public = {"format": "heard-public-keys/1", "verify_keys": public_keys(document)}
    store.write(PUBLIC, public, version=0)


def is_locator(document: Mapping[str, Any]) -> bool:
    """Whether a keyring setting's file points at a key store instead of holding keys."""
    return document.get("format") == LOCATOR_FORMAT


def keyring_from_locator(path: Path, service: str) -> VaultKeyring:
    """`service`'s keyring from the store a locator file names:
    `{"format": "heard-vault/1", "url": ..., "mount": ..., "prefix": ..., "token_file": ...}`;
    without `token_file`, the token is VAULT_TOKEN's (never in the locator itself)."""
    locator = json.loads(path.read_text("utf-8"))
    token_file = locator.get("token_file")
    token = (
        Path(token_file).read_text("utf-8").strip() if token_file else os.environ.get("VAULT_TOKEN")
    )
    if not token:
        raise ConfigurationError(f"{path} names a key store but no token: set VAULT_TOKEN")
    client = hvac.Client(url=locator["url"], token=token)
    mount, prefix = locator.get("mount", DEFAULT_MOUNT), locator.get("prefix", DEFAULT_PREFIX)
    return VaultKeyring(VaultStore(client, mount=mount, prefix=prefix), service)
