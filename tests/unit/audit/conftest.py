"""Fixtures for audit's unit tests: keys, an intake codec, and audit on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.audit.processor import AuditProcessor
from services.audit.service import SPEC
from services.audit.settings import AuditSettings
from shared.crypto.keyring import FileKeyring, new_keyring_document, save_keyring_file
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.runtime import Runtime, open_runtime


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


@pytest.fixture
def intake_codec(keyring: FileKeyring) -> EventCodec:
    return EventCodec(keyring, "intake")


@pytest.fixture
def settings(tmp_path: Path, keyring: FileKeyring) -> AuditSettings:
    """Audit on a migrated SQLite file, with the keyring saved beside it."""
    keyring_path = tmp_path / "keyring.json"
    save_keyring_file(keyring_path, keyring.document())
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    upgrade(url, SPEC.migrations)
    return AuditSettings(database_url=url, HEARD_KEYRING=keyring_path)


@pytest.fixture
async def runtime(settings: AuditSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("audit", settings, keyring) as opened:
        yield opened


@pytest.fixture
def processor(runtime: Runtime) -> AuditProcessor:
    return AuditProcessor(runtime.codec)
