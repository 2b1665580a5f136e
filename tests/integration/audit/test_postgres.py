"""On real PostgreSQL: the log integrates, serves a verifiable tree, and only grows.

The service's own role owns the tables, so grants alone could not stop it; triggers refuse
UPDATE, DELETE and TRUNCATE on the log, the stored tree and the checkpoints, for every role.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.audit.app import create_app
from services.audit.bootstrap import SERVICE as SPEC
from services.audit.integrator import integrate_all
from services.audit.settings import AuditSettings
from services.audit.verifier import Request, verify
from shared.crypto.keyring import FileKeyring
from shared.db.migrations import upgrade
from shared.runtime import Runtime
from shared.tlog import note
from tests.support.apps import app_client
from tests.unit.audit.support import append_entries, event_id_of

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_settings(database_url: str, keyring_path: Path) -> AuditSettings:
    upgrade(database_url, SPEC.migrations)
    return AuditSettings(database_url=database_url, HEARD_KEYRING=keyring_path)


@pytest.fixture
async def served(pg_settings: AuditSettings) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    app = create_app(pg_settings, integrate=False)
    async with app_client(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pg/log/") as client:
            yield app.state.runtime, client


async def test_the_log_on_postgresql_verifies_across_batches(
    served: tuple[Runtime, httpx.AsyncClient],
    pg_settings: AuditSettings,
    keyring: FileKeyring,
    tmp_path: Path,
) -> None:
    runtime, client = served
    settings = pg_settings.model_copy(update={"integrate_batch": 97})
    verifier = note.verifier_of(settings.log_origin, keyring.signing_key("audit"))
    request = Request(verifier, tmp_path / "state.json", events=(event_id_of(700),))
    await append_entries(runtime, 0, 300)
    await integrate_all(runtime, settings)
    assert (await verify(client, Request(verifier, request.state))).checkpoint.size == 300
    await append_entries(runtime, 300, 700)
    await integrate_all(runtime, settings)
    report = await verify(client, request)
    assert (report.checkpoint.size, report.previous, report.entries_checked) == (1000, 300, 1000)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log_entry SET entry_hash = NULL",
        "DELETE FROM audit_log_entry WHERE position = 0",
        "TRUNCATE audit_log_entry",
        "UPDATE audit_tree_node SET hash = '\\x00'",
        "DELETE FROM audit_tree_node",
        "TRUNCATE audit_tree_node",
        "UPDATE audit_checkpoint SET note = ''",
        "DELETE FROM audit_checkpoint",
        "TRUNCATE audit_checkpoint",
    ],
)
async def test_postgresql_refuses_to_rewrite_history(
    served: tuple[Runtime, httpx.AsyncClient], pg_settings: AuditSettings, statement: str
) -> None:
    runtime, _ = served
    await append_entries(runtime, 0, 3)
    await integrate_all(runtime, pg_settings)
    table = statement.split()[1 if statement.startswith(("UPDATE", "TRUNCATE")) else 2]
    with pytest.raises(IntegrityError, match=f"{table} is append-only"):
        async with runtime.engine.begin() as connection:
            await connection.execute(sa.text(statement))
