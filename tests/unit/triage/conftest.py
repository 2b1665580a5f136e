"""Fixtures for triage's unit tests: triage's rules, context, runtime and app on a migrated
SQLite, and a helper that decides one narrative."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.triage.app import create_app
from services.triage.bootstrap import SERVICE as SPEC
from services.triage.handlers import TriageContext, triage_context
from services.triage.model import Decision, Facts, RuleSet, Targets, decide
from services.triage.settings import TriageSettings
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite

RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RULE_FILE: Path = TriageSettings.model_fields["rule_set"].default
Decide = Callable[..., Decision]


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The rule set triage ships with."""
    return RuleSet.load(RULE_FILE)


@pytest.fixture(scope="session")
def triage(rules: RuleSet) -> Decide:
    """Decide one narrative: `triage(text, language="en", age_band=..., in_danger_now=...)`."""

    def run(narrative: str, language: str = "en", **facts: object) -> Decision:
        return decide(rules, narrative, Facts(language, RECEIVED, **facts), Targets())  # type: ignore[arg-type]

    return run


@pytest.fixture
def settings(tmp_path: Path, keyring_path: Path) -> TriageSettings:
    return TriageSettings(
        database_url=migrated_sqlite(tmp_path, SPEC),
        HEARD_KEYRING=keyring_path,
        pattern_threshold=3,
    )


@pytest.fixture
async def runtime(settings: TriageSettings, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    async with open_runtime("triage", settings, keyring) as opened:
        yield opened


@pytest.fixture
def context(runtime: Runtime, settings: TriageSettings) -> TriageContext:
    """Triage's per-process state, bound to `runtime` as the consumer process binds it."""
    runtime.context.state = triage_context(runtime, settings)
    state: TriageContext = runtime.context.state
    return state


@pytest.fixture
async def client(settings: TriageSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings)) as running:
        yield running
