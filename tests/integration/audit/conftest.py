"""Fixtures for audit's integration tests: keys, and audit on a migrated SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.bootstrap import SERVICE as SPEC
from services.audit.settings import AuditSettings
from shared.auth import TokenIssuer, ensure_issuer_files, load_issuer
from shared.crypto.keyring import FileKeyring, new_keyring_document, save_keyring_file
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    path = tmp_path / "keyring.json"
    save_keyring_file(path, new_keyring_document())
    ensure_issuer_files(tmp_path)
    return path


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> AuditSettings:
    url = migrated_sqlite(tmp_path, SPEC)
    return AuditSettings(database_url=url, HEARD_KEYRING=keyring_path)


@pytest.fixture
def app(settings: AuditSettings) -> FastAPI:
    """Audit's app, its integrator left to the test."""
    return create_app(settings, integrate=False)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as running:
        yield running


@pytest.fixture
def runtime(app: FastAPI, client: httpx.AsyncClient) -> Runtime:
    """The running app's runtime."""
    opened: Runtime = app.state.runtime
    return opened


@pytest.fixture
def keyring(keyring_path: Path) -> FileKeyring:
    return FileKeyring.load(keyring_path)


@pytest.fixture
def issuer(keyring_path: Path) -> TokenIssuer:
    """The staff-token issuer whose public keys the app under test trusts."""
    return load_issuer(keyring_path.parent)
