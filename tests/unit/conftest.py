"""Keys for the unit tests: a fresh in-memory keyring, saved to a file where a service needs one,
and codecs for the producers whose events the services under test consume."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.auth import TokenIssuer, ensure_issuer_files, load_issuer
from shared.crypto.keyring import FileKeyring, new_keyring_document, save_keyring_file
from shared.events.codec import EventCodec


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


@pytest.fixture
def keyring_path(tmp_path: Path, keyring: FileKeyring) -> Path:
    """`keyring` saved where a service's settings can point at it."""
    path = tmp_path / "keyring.json"
    save_keyring_file(path, keyring.document())
    ensure_issuer_files(tmp_path)
    return path


@pytest.fixture
def issuer(keyring_path: Path) -> TokenIssuer:
    """The staff-token issuer whose public keys the services under test trust."""
    return load_issuer(keyring_path.parent)


@pytest.fixture
def intake_codec(keyring: FileKeyring) -> EventCodec:
    return EventCodec(keyring, "intake")


@pytest.fixture
def triage_codec(keyring: FileKeyring) -> EventCodec:
    return EventCodec(keyring, "triage")
