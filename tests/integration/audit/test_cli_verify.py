"""`heard audit verify` as an oversight body runs it: a separate process, real HTTP, only the
log's key; exit 0 with OK on an honest log, exit 1 with FAIL on a forked one."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from deploy.ports import free_port
from services.audit.integrator import integrate_all, log_verifier
from services.audit.settings import AuditSettings
from services.audit.tile_cache import TileReader
from shared.runtime import Runtime
from tests.unit.audit.support import append_entries

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def _heard(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from deploy.cli import main; sys.exit(main(sys.argv[1:]))",
        *args,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_verify_over_http_then_catch_a_rewritten_entry(
    base_url: str, app: FastAPI, settings: AuditSettings, tmp_path: Path
) -> None:
    runtime: Runtime = app.state.runtime
    await append_entries(runtime, 0, 700)
    await integrate_all(runtime, settings)
    key = log_verifier(runtime, settings).encode()
    state = str(tmp_path / "state.json")
    code, out, err = await _heard(
        "audit", "verify", f"{base_url}/log", "--key", key, "--state", state
    )
    assert (code, out.split(":")[0]) == (0, "OK"), out + err
    assert "700 entries and 0 events checked" in out
    assert "tiles [" in err
    async with runtime.engine.begin() as connection:
        await connection.execute(sa.text("DROP TRIGGER audit_log_entry_no_update"))
        await connection.execute(
            sa.text("UPDATE audit_log_entry SET entry_hash = :e WHERE position = 600"),
            {"e": "cd" * 32},
        )
    # The running API keeps serving the tiles it served (immutable, cached): the rewrite is
    # served, and caught, once it reads the database again, as after a restart.
    app.state.tile_reader = TileReader()
    code, out, _ = await _heard(
        "audit", "verify", f"{base_url}/log", "--key", key, "--state", state
    )
    assert code == 1
    assert out.startswith("FAIL: the entries and tiles do not hash to the signed root; entry 600")
