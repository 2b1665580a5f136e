"""Fixtures for triage's unit tests: triage's rules, runtime and app on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.triage.app import create_app
from services.triage.bootstrap import SERVICE as SPEC
from services.triage.model import RuleSet
from services.triage.settings import TriageSettings
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The rule set triage ships with."""
    return RuleSet.load(TriageSettings.model_fields["rule_set"].default)


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> TriageSettings:
    return TriageSettings(database_url=migrated_sqlite(tmp_path, SPEC), HEARD_KEYRING=keyring_path)


@pytest.fixture
async def runtime(settings: TriageSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("triage", settings, keyring) as opened:
        yield opened


@pytest.fixture
async def client(settings: TriageSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings)) as running:
        yield running
