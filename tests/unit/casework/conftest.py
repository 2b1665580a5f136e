"""Fixtures for casework's unit tests: keys, a triage codec, casework on a migrated SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from services.casework.app import create_app
from services.casework.bootstrap import SERVICE as SPEC
from services.casework.db import Case
from services.casework.settings import CaseworkSettings
from shared.auth import TokenIssuer
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.intake_events import as_intake, submitted
from tests.support.services import migrated_sqlite
from tests.unit.casework.support import deliver, deliver_record, triaged


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


@pytest.fixture
async def case_id(runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec) -> str:
    """A P1 case opened from a submission and its triage, not yet assigned."""
    sub = submitted()
    assert await deliver_record(runtime, as_intake(intake_codec, sub))
    assert await deliver(runtime, triage_codec, triaged(complaint_id=sub.complaint_id, priority=1))
    async with runtime.sessions() as session:
        return str((await session.exec(select(Case.case_id))).one())
