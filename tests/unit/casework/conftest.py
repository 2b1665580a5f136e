"""Fixtures for casework's unit tests: keys, a triage codec, casework on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.casework.app import create_app
from services.casework.service import SPEC
from services.casework.settings import CaseworkSettings
from shared.auth import TokenIssuer
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> CaseworkSettings:
    """Casework on a migrated SQLite file, with the keyring saved beside it."""
    url = migrated_sqlite(tmp_path, SPEC)
    return CaseworkSettings(
        database_url=url,
        HEARD_KEYRING=keyring_path,
        run_scheduler=False,
        pager_file=tmp_path / "pages.jsonl",
    )


@pytest.fixture
async def runtime(settings: CaseworkSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("casework", settings, keyring) as opened:
        yield opened


@pytest.fixture
async def client(settings: CaseworkSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings)) as running:
        yield running


@pytest.fixture
def caseworker(issuer: TokenIssuer) -> dict[str, str]:
    """Headers of a case worker's request."""
    return {"Authorization": f"Bearer {issuer.issue('ana', {'caseworker'})}"}
