"""Fixtures for intake's unit tests: keys, and intake's app and runtime on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.intake.app import create_app
from services.intake.bootstrap import SERVICE as SPEC
from services.intake.settings import IntakeSettings
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite

LOOKUP_LIMIT = 3


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> IntakeSettings:
    """Intake on a migrated SQLite file, with the keyring saved beside it."""
    url = migrated_sqlite(tmp_path, SPEC)
    return IntakeSettings(
        database_url=url,
        HEARD_KEYRING=keyring_path,
        status_lookup_limit=LOOKUP_LIMIT,
        lookup_floor_seconds=0,
    )


@pytest.fixture
async def runtime(settings: IntakeSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("intake", settings, keyring) as opened:
        yield opened


@pytest.fixture
def app(settings: IntakeSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as running:
        yield running
