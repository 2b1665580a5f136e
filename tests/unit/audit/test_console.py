"""The oversight console: auditors only, read-only, strict CSP, bad fields named, no child data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.integrator import integrate_all
from services.audit.settings import AuditSettings
from shared.auth import TokenIssuer
from shared.events.codec import EventCodec
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.consumed import consumer_record
from tests.support.events import MARKER, submitted
from tests.unit.audit.support import apply_record


@pytest.fixture
async def app(settings: AuditSettings) -> AsyncIterator[FastAPI]:
    built = create_app(settings, integrate=False)
    async with app_client(built):
        yield built


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as running:
        yield running


def _cookie(issuer: TokenIssuer, role: str) -> dict[str, str]:
    """The console cookie as a browser sends it."""
    return {"Cookie": f"heard_staff={issuer.issue('ada', {role})}"}


@pytest.fixture
async def cases(app: FastAPI, settings: AuditSettings, intake_codec: EventCodec) -> list[str]:
    runtime: Runtime = app.state.runtime
    subjects = []
    for offset in range(3):
        event = submitted()
        subjects.append(str(event.complaint_id))
        record = intake_codec.encode(event, subject=subjects[-1])
        await apply_record(runtime, consumer_record(record, offset=offset))
    await integrate_all(runtime, settings)
    return subjects


async def test_only_auditors_may_look(client: httpx.AsyncClient, issuer: TokenIssuer) -> None:
    assert (await client.get("/console/")).status_code == 401
    for role in ("caseworker", "supervisor", "administrator", "operator"):
        response = await client.get("/console/", headers=_cookie(issuer, role))
        assert response.status_code == 403


async def test_the_trail_and_a_case_timeline_show_metadata_only(
    client: httpx.AsyncClient, issuer: TokenIssuer, cases: list[str]
) -> None:
    cookies = _cookie(issuer, "auditor")
    page = await client.get("/console/", headers=cookies)
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert all(case in page.text for case in cases)
    found = await client.get("/console/", params={"case": cases[1], "type": ""}, headers=cookies)
    assert cases[1] in found.text
    assert cases[0] not in found.text
    timeline = await client.get(f"/console/cases/{cases[2]}", headers=cookies)
    assert "heard.complaint.submitted.v1" in timeline.text
    assert "/log/proofs/inclusion?event_id=" in timeline.text
    for body in (page.text, found.text, timeline.text):
        assert MARKER not in body
        assert "example.org" not in body
        assert "<script" not in body


async def test_filters_by_date_and_service(
    client: httpx.AsyncClient, issuer: TokenIssuer, cases: list[str]
) -> None:
    cookies = _cookie(issuer, "auditor")
    params = {"since": "2100-01-01", "source": "/heard/intake"}
    future = await client.get("/console/", params=params, headers=cookies)
    assert "No entries match." in future.text
    other = await client.get("/console/", params={"source": "/heard/triage"}, headers=cookies)
    assert "No entries match." in other.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"case": "not-a-uuid"}, "case"),
        ({"since": "2026-13-01"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"case": "x" * 65}, "case"),
        ({"type": "t" * 101}, "type"),
    ],
)
async def test_bad_search_fields_get_a_4xx_naming_the_field(
    client: httpx.AsyncClient, issuer: TokenIssuer, params: dict[str, str], field: str
) -> None:
    response = await client.get("/console/", params=params, headers=_cookie(issuer, "auditor"))
    assert response.status_code in (400, 422)
    assert field in response.text
    assert params[field] not in response.text


async def test_a_case_id_that_is_not_a_uuid_is_422(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.get("/console/cases/nope", headers=_cookie(issuer, "auditor"))
    assert response.status_code == 422
