"""Fixtures for audit's unit tests: keys, an intake codec, and audit on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.audit.bootstrap import SERVICE as SPEC
from services.audit.processor import AuditProcessor
from services.audit.settings import AuditSettings
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime, open_runtime
from tests.support.services import migrated_sqlite


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> AuditSettings:
    """Audit on a migrated SQLite file, with the keyring saved beside it."""
    url = migrated_sqlite(tmp_path, SPEC)
    return AuditSettings(database_url=url, HEARD_KEYRING=keyring_path)


@pytest.fixture
async def runtime(settings: AuditSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("audit", settings, keyring) as opened:
        yield opened


@pytest.fixture
def processor(runtime: Runtime) -> AuditProcessor:
    return AuditProcessor(runtime.codec)
