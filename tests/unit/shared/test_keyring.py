"""The keyring file: created private, never overwritten, refused when readable by others."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from shared.crypto.keyring import FileKeyring, init_keyring_file, save_keyring_file
from shared.errors import ConfigurationError, KeyringError


def test_init_creates_a_private_complete_keyring(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyring.json"
    init_keyring_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keyring = FileKeyring.load(path)
    assert keyring.current_data_key("complaints").key_id == "complaints-1"
    assert len(keyring.current_data_key("cases").secret) == 32
    assert keyring.verify_key("audit") is not None
    assert len(keyring.token_key()) == 32


def test_init_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    before = path.read_bytes()
    with pytest.raises(ConfigurationError):
        init_keyring_file(path)
    assert path.read_bytes() == before


def test_load_refuses_a_keyring_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        FileKeyring.load(path)


def test_load_reports_a_missing_keyring(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="heard keys init"):
        FileKeyring.load(tmp_path / "absent.json")


def test_rotation_survives_saving(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    keyring = FileKeyring.load(path)
    new_id = keyring.rotate("triage")
    save_keyring_file(path, keyring.document())
    reloaded = FileKeyring.load(path)
    assert reloaded.current_data_key("triage").key_id == new_id
    assert reloaded.data_key("triage", "triage-1").secret


def test_unknown_names_raise_keyring_errors(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    keyring = FileKeyring.load(path)
    with pytest.raises(KeyringError):
        keyring.current_data_key("nope")
    with pytest.raises(KeyringError):
        keyring.signing_key("mallory")
