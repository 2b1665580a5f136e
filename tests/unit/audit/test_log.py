"""The log as a C2SP tiled log: signed checkpoints, tiles, entry bundles and JSON proofs."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.audit import tiles
from services.audit.app import create_app
from services.audit.integrator import integrate, integrate_all
from services.audit.settings import AuditSettings
from shared.bus.outbox import OutboxMessage
from shared.events.contracts.audit import CheckpointSigned
from shared.runtime import Runtime
from shared.tlog import merkle, note
from tests.support.apps import app_client
from tests.unit.audit.support import append_entries, entry_of, event_id_of
from tests.unit.shared.test_merkle import mth, path, subproof


@pytest.fixture
async def client(settings: AuditSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings, integrate=False)) as running:
        yield running


@pytest.fixture
def runtime_of(client: httpx.AsyncClient) -> Runtime:
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    runtime: Runtime = app.state.runtime
    return runtime


async def _grow(runtime: Runtime, settings: AuditSettings, size: int, to: int) -> None:
    await append_entries(runtime, size, to - size)
    await integrate_all(runtime, settings)


async def _verifier(client: httpx.AsyncClient) -> note.Verifier:
    return note.parse_verifier((await client.get("/log/key")).text)


async def test_the_checkpoint_is_signed_by_the_key_served_and_has_the_tree_root(
    client: httpx.AsyncClient, runtime_of: Runtime, settings: AuditSettings
) -> None:
    await _grow(runtime_of, settings, 0, 300)
    response = await client.get("/log/checkpoint")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=2"
    checkpoint = note.open_checkpoint(response.text, await _verifier(client))
    assert checkpoint == note.Checkpoint(
        settings.log_origin, 300, mth([entry_of(i) for i in range(300)])
    )
    assert response.text.startswith(f"{settings.log_origin}\n300\n")


async def test_every_tile_and_bundle_holds_the_trees_hashes(
    client: httpx.AsyncClient, runtime_of: Runtime, settings: AuditSettings
) -> None:
    await _grow(runtime_of, settings, 0, 600)
    entries = [entry_of(i) for i in range(600)]
    level0 = [t.path() for t in tiles.tiles_for(600, 0)]
    assert level0 == ["0/000", "0/001", "0/002.p/88"]
    for n, tile_path in enumerate(level0):
        data = (await client.get(f"/log/tile/{tile_path}")).content
        chunk = entries[n * 256 : (n + 1) * 256]
        assert data == b"".join(merkle.leaf_hash(e) for e in chunk)
        bundle = await client.get(f"/log/tile/entries/{tile_path[2:]}")
        assert tiles.unbundle(bundle.content) == chunk
        assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    level1 = await client.get("/log/tile/1/000.p/2")
    assert level1.content == mth(entries[:256]) + mth(entries[256:512])
    assert level1.headers["content-type"] == "application/octet-stream"


async def test_tiles_beyond_the_signed_tree_are_404(
    client: httpx.AsyncClient, runtime_of: Runtime, settings: AuditSettings
) -> None:
    await _grow(runtime_of, settings, 0, 10)
    await append_entries(runtime_of, 10, 5)  # logged, not yet integrated
    for tile_path in ("0/000", "0/000.p/11", "entries/000.p/15", "1/000.p/1", "0/001.p/1"):
        assert (await client.get(f"/log/tile/{tile_path}")).status_code == 404
    assert (await client.get("/log/tile/0/000.p/10")).status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        "0/1",
        "0/0001",
        "0/x000/001",
        "0/x01/001",
        "00/000",
        "64/000",
        "-1/000",
        "0/000.p/0",
        "0/000.p/256",
        "0/000.p/07",
        "0/000.p/",
        "0/001/002",
        "data/000",
        "0/x999/x999/x999/x999/x999/x999/999",
        "0",
        "0/",
    ],
)
async def test_malformed_tile_paths_get_400(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get(f"/log/tile/{bad}")
    assert response.status_code == 400
    assert "tile path" in response.json()["detail"]


async def test_no_checkpoint_before_the_first_entry(client: httpx.AsyncClient) -> None:
    assert (await client.get("/log/checkpoint")).status_code == 404


async def test_inclusion_and_consistency_proofs_in_json_verify(
    client: httpx.AsyncClient, runtime_of: Runtime, settings: AuditSettings
) -> None:
    await _grow(runtime_of, settings, 0, 77)
    entries = [entry_of(i) for i in range(77)]
    for index, size in ((0, 1), (5, 77), (64, 65), (76, 77), (30, 40)):
        params = {"event_id": event_id_of(index), "size": str(size)}
        body = (await client.get("/log/proofs/inclusion", params=params)).json()
        assert body["index"] == index
        assert body["entry"] == entries[index].hex()
        assert body["proof"] == [h.hex() for h in path(index, entries[:size])]
        assert body["root_hash"] == mth(entries[:size]).hex()
    body = (await client.get("/log/proofs/consistency", params={"old": 13, "new": 77})).json()
    assert body["proof"] == [h.hex() for h in subproof(13, entries, True)]
    assert body["old_root"] == mth(entries[:13]).hex()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("inclusion?event_id=00000000-0000-0000-0000-000000000001&size=0", 422),
        ("inclusion?event_id=00000000-0000-0000-0000-000000000001&size=9223372036854775808", 422),
        ("inclusion?event_id=not-a-uuid&size=3", 422),
        ("inclusion?size=3", 422),
        ("inclusion?event_id=00000000-0000-0000-0000-000000000001&size=11", 404),
        ("inclusion?event_id=00000000-0000-0000-0000-000000000009&size=5", 404),
        ("inclusion?event_id=00000000-0000-0000-0000-0000000000ff&size=5", 404),
        ("consistency?old=5&new=3", 400),
        ("consistency?old=0&new=3", 422),
        ("consistency?old=1&new=11", 404),
        ("consistency?old=1&new=2599989598828219984076932644864", 422),
        ("consistency?old=x&new=3", 422),
    ],
)
async def test_bad_proof_requests_get_a_clear_4xx(
    client: httpx.AsyncClient, runtime_of: Runtime, settings: AuditSettings, query: str, status: int
) -> None:
    await _grow(runtime_of, settings, 0, 10)
    response = await client.get(f"/log/proofs/{query}")
    assert response.status_code == status
    assert response.json()["detail"]


async def test_a_checkpoint_is_published_unless_only_checkpoints_are_new(
    runtime: Runtime, settings: AuditSettings
) -> None:
    await append_entries(runtime, 0, 3)
    assert (await integrate(runtime, settings)) is not None
    await append_entries(runtime, 3, 1, kind=CheckpointSigned.type_name)
    assert (await integrate(runtime, settings)) is not None
    assert (await integrate(runtime, settings)) is None
    async with runtime.sessions() as session:
        outbox = (await session.exec(select(OutboxMessage))).all()
    assert len(outbox) == 1
    record = outbox[0].to_record()
    event = runtime.codec.decode(record.topic, record.key, record.headers, record.value)
    assert isinstance(event.data, CheckpointSigned)
    assert event.data.size == 3


async def test_the_tree_only_grows(runtime: Runtime, settings: AuditSettings) -> None:
    await append_entries(runtime, 0, 3)
    await integrate(runtime, settings)
    for statement in (
        "UPDATE audit_tree_node SET hash = x'00'",
        "DELETE FROM audit_tree_node",
        "UPDATE audit_checkpoint SET size = 9",
        "DELETE FROM audit_checkpoint",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            async with runtime.engine.begin() as connection:
                await connection.execute(sa.text(statement))


def test_the_root_is_base64_in_the_checkpoint() -> None:
    body = note.Checkpoint("o", 1, bytes(32)).body()
    assert body == f"o\n1\n{base64.b64encode(bytes(32)).decode()}\n"
