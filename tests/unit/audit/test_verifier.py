"""`heard audit verify` catches every way of tampering with the log, trusting only its key.

The log is served by the real app (over ASGI); the tampering is what an insider with
database access could do after dropping the append-only triggers, or what a man in the
middle could serve.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.app import create_app
from services.audit.bootstrap import SERVICE as SPEC
from services.audit.integrator import integrate_all
from services.audit.settings import AuditSettings
from services.audit.verifier import Request, VerificationFailed, verify
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime
from shared.tlog import note
from tests.support.apps import app_client
from tests.support.services import migrated_sqlite
from tests.unit.audit.support import append_entries, entry_of, event_id_of

SIZE = 600
Swap = Callable[[httpx.Request], httpx.Request]


class Log:
    """A served log: its runtime (to grow or tamper with it) and a client for its prefix."""

    def __init__(self, runtime: Runtime, settings: AuditSettings, client: httpx.AsyncClient):
        self.runtime, self.settings, self.client = runtime, settings, client

    async def grow(self, to: int, entry_at: Callable[[int], bytes] = entry_of) -> None:
        size = await self.size()
        await append_entries(self.runtime, size, to - size, entry_at=entry_at)
        await integrate_all(self.runtime, self.settings)

    async def size(self) -> int:
        async with self.runtime.engine.connect() as connection:
            found = await connection.scalar(sa.text("SELECT count(*) FROM audit_log_entry"))
        return int(found or 0)

    async def tamper(self, *statements: str) -> None:
        async with self.runtime.engine.begin() as connection:
            for name in ("update", "delete"):
                for table in ("audit_log_entry", "audit_tree_node"):
                    await connection.execute(sa.text(f"DROP TRIGGER {table}_no_{name}"))
            for statement in statements:
                await connection.execute(sa.text(statement))


class Rewriting(httpx.AsyncBaseTransport):
    """A man in the middle: serves the answer for another path where told to."""

    def __init__(self, inner: httpx.AsyncBaseTransport, swaps: dict[str, str]) -> None:
        self.inner, self.swaps = inner, swaps

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = self.swaps.get(request.url.path, request.url.path)
        return await self.inner.handle_async_request(
            httpx.Request(request.method, request.url.copy_with(path=path))
        )


def _settings(directory: Path, keyring_path: Path) -> AuditSettings:
    directory.mkdir()
    url = migrated_sqlite(directory, SPEC)
    return AuditSettings(database_url=url, HEARD_KEYRING=keyring_path)


@asynccontextmanager
async def served(
    directory: Path, keyring_path: Path, swaps: dict[str, str] | None = None
) -> AsyncIterator[Log]:
    settings = _settings(directory, keyring_path)
    app = create_app(settings, integrate=False)
    async with app_client(app):
        transport = Rewriting(httpx.ASGITransport(app=app), swaps or {})
        async with httpx.AsyncClient(transport=transport, base_url="http://test/log/") as client:
            yield Log(app.state.runtime, settings, client)


@pytest.fixture
async def log(tmp_path: Path, keyring_path: Path) -> AsyncIterator[Log]:
    async with served(tmp_path / "log", keyring_path) as opened:
        await opened.grow(SIZE)
        yield opened


@pytest.fixture
def request_(keyring: FileKeyring, tmp_path: Path) -> Request:
    verifier = note.verifier_of(AuditSettings().log_origin, keyring.signing_key("audit"))
    return Request(verifier, state=tmp_path / "state.json")


async def _fails(log: Log, request: Request, match: str) -> None:
    with pytest.raises(VerificationFailed, match=match):
        await verify(log.client, request)


async def test_an_honest_log_verifies_and_later_extends_what_was_seen(
    log: Log, request_: Request
) -> None:
    first = await verify(log.client, request_)
    assert (first.checkpoint.size, first.previous, first.entries_checked) == (SIZE, None, SIZE)
    await log.grow(SIZE + 77)
    events = (event_id_of(5), event_id_of(SIZE + 70))
    again = await verify(
        log.client, Request(request_.verifier, request_.state, range(590, 610), events)
    )
    assert (again.checkpoint.size, again.previous, again.entries_checked) == (SIZE + 77, SIZE, 20)
    assert again.events_checked == list(events)


@pytest.mark.parametrize(
    ("statements", "match"),
    [
        (["UPDATE audit_log_entry SET entry_hash = '{x}' WHERE position = 300"], "entry 300"),
        (["DELETE FROM audit_log_entry WHERE position = 300"], "HTTP 404"),
        (
            [
                "UPDATE audit_log_entry SET position = position + 1000 WHERE position >= 300",
                "UPDATE audit_log_entry SET position = position - 999 WHERE position >= 1300",
                "INSERT INTO audit_log_entry (position, entry_hash, leaf_hash, topic, partition,"
                " \"offset\", appended_at) VALUES (300, '{x}', '{x}', 't', 0, 0, '2026-01-01')",
            ],
            "entry 300",
        ),
        (
            [
                "UPDATE audit_log_entry SET position = -1 WHERE position = 10",
                "UPDATE audit_log_entry SET position = 10 WHERE position = 11",
                "UPDATE audit_log_entry SET position = 11 WHERE position = -1",
            ],
            "entry 10",
        ),
    ],
    ids=["change", "delete", "insert", "reorder"],
)
async def test_tampering_with_the_stored_log_is_caught(
    log: Log, request_: Request, statements: list[str], match: str
) -> None:
    forged = "ab" * 32
    await log.tamper(*(s.format(x=forged) for s in statements))
    await _fails(log, request_, match)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_tree_node SET hash = x'{x}' WHERE level = 0 AND node_index = 520",
        "UPDATE audit_tree_node SET hash = x'{x}' WHERE level = 8 AND node_index = 1",
    ],
    ids=["leaf", "level-1"],
)
async def test_a_changed_hash_in_a_tile_is_caught(
    log: Log, request_: Request, statement: str
) -> None:
    # Checking entries 0..9 only, the verifier rebuilds the rest of the tree from tiles.
    await log.tamper(statement.format(x="ab" * 32))
    await _fails(log, Request(request_.verifier, entries=range(10)), "signed root")


@pytest.mark.parametrize(
    "swap",
    [
        ("/log/tile/1/000.p/2", "/log/tile/0/000.p/2"),
        ("/log/tile/0/002.p/88", "/log/tile/0/001.p/88"),
    ],
)
async def test_a_swapped_tile_is_caught(
    tmp_path: Path, keyring_path: Path, request_: Request, swap: tuple[str, str]
) -> None:
    async with served(tmp_path / "mitm", keyring_path, dict([swap])) as log:
        await log.grow(SIZE)
        await _fails(log, Request(request_.verifier, entries=range(10)), "signed root")


async def test_a_swapped_entry_bundle_is_caught(
    tmp_path: Path, keyring_path: Path, request_: Request
) -> None:
    swaps = {"/log/tile/entries/001": "/log/tile/entries/000"}
    async with served(tmp_path / "mitm", keyring_path, swaps) as log:
        await log.grow(SIZE)
        await _fails(log, request_, "entry 256")


async def test_a_forked_history_is_caught(
    tmp_path: Path, keyring_path: Path, log: Log, request_: Request
) -> None:
    await verify(log.client, request_)
    async with served(tmp_path / "fork", keyring_path) as fork:
        # The same key signs a history whose entry 3 differs, and which is longer.
        await fork.grow(SIZE + 10, lambda p: b"rewritten".ljust(32) if p == 3 else entry_of(p))
        await _fails(fork, request_, "forked")


async def test_a_rolled_back_checkpoint_is_caught(
    tmp_path: Path, keyring_path: Path, request_: Request
) -> None:
    async with served(tmp_path / "old", keyring_path) as old:
        await old.grow(SIZE)
        async with served(tmp_path / "new", keyring_path) as new:
            await new.grow(SIZE + 5)
            await verify(new.client, request_)
        await _fails(old, request_, "rolled back")


async def test_a_checkpoint_signed_by_another_key_is_refused(log: Log, request_: Request) -> None:
    stranger = note.verifier_of(request_.verifier.name, Ed25519PrivateKey.generate())
    await _fails(log, Request(stranger), "checkpoint")


async def test_an_event_not_in_the_log_fails(log: Log, request_: Request) -> None:
    missing = Request(request_.verifier, events=("018f2b9c-7d7e-7a3b-9c1d-2e3f4a5b6c7d",))
    await _fails(log, missing, "not in the log")


async def test_the_state_file_is_written_only_after_success(log: Log, request_: Request) -> None:
    await log.tamper("UPDATE audit_log_entry SET entry_hash = '00' WHERE position = 1")
    await _fails(log, request_, "entry 1")
    assert request_.state is not None
    assert not request_.state.exists()
