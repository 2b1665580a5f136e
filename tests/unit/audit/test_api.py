"""Audit's staff API: who may read the log, paging through it, and clear 4xx for bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.settings import AuditSettings
from shared.auth import TokenIssuer
from shared.events.codec import EventCodec
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.consumed import consumer_record
from tests.support.events import MARKER, submitted
from tests.unit.audit.support import apply_record, dead_letter

SUMMARY_FIELDS = {
    "position",
    "leaf_hash",
    "event_id",
    "source",
    "type",
    "subject",
    "topic",
    "appended_at",
    "dlq_reason",
}


@pytest.fixture
def app(settings: AuditSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as running:
        yield running


@pytest.fixture
def auditor(issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue('ada', {'auditor'})}"}


async def _fill(app: FastAPI, codec: EventCodec, events: int) -> None:
    """Append `events` events, then one dead letter, through the running app's runtime."""
    runtime: Runtime = app.state.runtime
    for offset in range(events):
        event = submitted()
        record = codec.encode(event, subject=str(event.complaint_id))
        await apply_record(runtime, consumer_record(record, offset=offset))
    await apply_record(runtime, dead_letter(record, codec.keyring, reason="undecryptable"))


async def test_a_token_is_required(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer heard1.forged.token"}):
        response = await client.get("/api/v1/log", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["operator", "caseworker"])
async def test_other_roles_are_forbidden(
    client: httpx.AsyncClient, issuer: TokenIssuer, role: str
) -> None:
    token = issuer.issue("bob", {role})
    for path in ("/api/v1/log", "/api/v1/log/entries/0"):
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["auditor", "supervisor", "administrator"])
async def test_overseers_may_read_the_log(
    client: httpx.AsyncClient, issuer: TokenIssuer, role: str
) -> None:
    token = issuer.issue("eve", {role})
    response = await client.get("/api/v1/log", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"size": 0, "entries": []}


async def test_pages_run_newest_first_and_back_with_before(
    app: FastAPI, client: httpx.AsyncClient, auditor: dict[str, str], intake_codec: EventCodec
) -> None:
    await _fill(app, intake_codec, events=6)
    first = (await client.get("/api/v1/log", params={"limit": 3}, headers=auditor)).json()
    assert first["size"] == 7
    assert [e["position"] for e in first["entries"]] == [6, 5, 4]
    assert set(first["entries"][0]) == SUMMARY_FIELDS
    assert first["entries"][0]["dlq_reason"] == "undecryptable"
    assert first["entries"][1]["dlq_reason"] is None
    params = {"limit": 3, "before": 4}
    second = (await client.get("/api/v1/log", params=params, headers=auditor)).json()
    assert [e["position"] for e in second["entries"]] == [3, 2, 1]
    last = (await client.get("/api/v1/log", params={"before": 1}, headers=auditor)).json()
    assert [e["position"] for e in last["entries"]] == [0]
    everything = (await client.get("/api/v1/log", headers=auditor)).json()
    assert len(everything["entries"]) == 7


async def test_one_entry_and_404_beyond_the_end(
    app: FastAPI, client: httpx.AsyncClient, auditor: dict[str, str], intake_codec: EventCodec
) -> None:
    await _fill(app, intake_codec, events=1)
    entry = (await client.get("/api/v1/log/entries/1", headers=auditor)).json()
    assert (entry["position"], entry["topic"], entry["dlq_consumer"]) == (
        1,
        "complaints.dlq",
        "triage",
    )
    assert entry["type"] == "heard.complaint.submitted.v1"
    beyond = await client.get("/api/v1/log/entries/2", headers=auditor)
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "the log has no entry at that position"}


async def test_nothing_about_a_child_is_served(
    app: FastAPI, client: httpx.AsyncClient, auditor: dict[str, str], intake_codec: EventCodec
) -> None:
    await _fill(app, intake_codec, events=2)
    served = [(await client.get("/api/v1/log", headers=auditor)).text]
    served += [
        (await client.get(f"/api/v1/log/entries/{p}", headers=auditor)).text for p in range(3)
    ]
    assert not any(MARKER in body or "example.org" in body for body in served)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/log?limit=0", "limit"),
        ("/api/v1/log?limit=501", "limit"),
        ("/api/v1/log?limit=many", "limit"),
        ("/api/v1/log?before=-1", "before"),
        ("/api/v1/log?before=2599989598828219984076932644864", "before"),
        ("/api/v1/log?before=9223372036854775808", "before"),
        ("/api/v1/log/entries/9223372036854775808", "position"),
        ("/api/v1/log/entries/-1", "position"),
        ("/api/v1/log/entries/first", "position"),
    ],
)
async def test_bad_parameters_get_422_naming_the_field(
    client: httpx.AsyncClient, auditor: dict[str, str], path: str, field: str
) -> None:
    response = await client.get(path, headers=auditor)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
