"""Oversight statistics: figures from the statistics topic, small cells suppressed everywhere."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.settings import AuditSettings
from services.audit.statistics_db import record_statistic
from shared.auth import TokenIssuer
from shared.events.contracts import ComplaintProfiled, FeedbackGiven
from shared.runtime import Runtime
from tests.support.apps import app_client

REGIONS = {"north": 12, "south": 3, "east": 6, "west": 7}


def _profile(region: str, period: str = "2026-10") -> ComplaintProfiled:
    return ComplaintProfiled(
        profile_id=uuid.uuid4(),
        period=period,
        channel="web",
        language="en",
        submitted_by="child",
        age_band="12_14",
        gender="girl",
        disability=None,
        region=region,
        categories=["violence"],
        urgency="urgent",
    )


@pytest.fixture
async def client(settings: AuditSettings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings, integrate=False)
    async with app_client(app) as running:
        runtime: Runtime = app.state.runtime
        async with runtime.uow() as uow:
            for region, count in REGIONS.items():
                for _ in range(count):
                    await record_statistic(uow.session, _profile(region))
            profile = _profile("north", period="2026-11")
            await record_statistic(uow.session, profile)
            await record_statistic(uow.session, profile)  # redelivered: counted once
            answer = FeedbackGiven(
                feedback_id=uuid.uuid4(), period="2026-10", felt_heard="yes", language="en"
            )
            await record_statistic(uow.session, answer)
            await uow.commit()
        yield running


@pytest.fixture
def auditor(issuer: TokenIssuer) -> dict[str, str]:
    return {"Cookie": f"heard_staff={issuer.issue('ada', {'auditor'})}"}


async def test_json_export_suppresses_small_cells_and_their_partner(
    client: httpx.AsyncClient, auditor: dict[str, str]
) -> None:
    body = (
        await client.get("/console/statistics.json", params={"period": "2026-10"}, headers=auditor)
    ).json()
    region = next(t for t in body["tables"] if t["dimension"] == "region")
    # North is hidden too: November's one complaint in the north would be all months (13)
    # minus October's 12; and so is October's total (November's 1 is 29 minus 28).
    assert region["cells"] == {"north": None, "west": 7, "east": None, "south": None}
    assert region["total"] is None
    felt = next(t for t in body["tables"] if t["dimension"] == "felt_heard")
    assert felt["cells"] == {"yes": None}
    assert felt["total"] is None
    everything = (await client.get("/console/statistics.json", headers=auditor)).json()
    overall = next(t for t in everything["tables"] if t["dimension"] == "region")
    assert overall["cells"]["west"] == 7
    assert overall["cells"]["north"] is None or region["cells"]["north"] is None
    november = (
        await client.get("/console/statistics.json", params={"period": "2026-11"}, headers=auditor)
    ).json()
    assert next(t for t in november["tables"] if t["dimension"] == "region")["cells"] == {
        "north": None
    }


async def test_csv_and_page_show_no_count_below_five(
    client: httpx.AsyncClient, auditor: dict[str, str]
) -> None:
    exported = await client.get(
        "/console/statistics.csv", params={"period": "2026-10"}, headers=auditor
    )
    assert exported.headers["content-disposition"].endswith('heard-statistics-2026-10.csv"')
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {
        "period": "2026-10",
        "breakdown": "all",
        "dimension": "region",
        "value": "south",
        "count": "suppressed",
    } in rows
    shown = [int(r["count"]) for r in rows if r["count"] != "suppressed"]
    assert all(n == 0 or n >= 5 for n in shown)
    page = await client.get("/console/statistics", params={"period": "2026-10"}, headers=auditor)
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "<script" not in page.text
    assert ">3<" not in page.text


@pytest.mark.parametrize("period", ["2026-13", "26-10", "2026-1", "x" * 8, "2026-10'"])
async def test_a_bad_period_is_a_4xx_naming_it(
    client: httpx.AsyncClient, auditor: dict[str, str], period: str
) -> None:
    for path in ("/console/statistics", "/console/statistics.csv", "/console/statistics.json"):
        response = await client.get(path, params={"period": period}, headers=auditor)
        assert response.status_code in (400, 422)
        assert "period" in response.text


async def test_statistics_are_for_auditors_only(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    token = issuer.issue("bob", {"caseworker"})
    for path in ("/console/statistics", "/console/statistics.csv", "/console/statistics.json"):
        assert (await client.get(path)).status_code == 401
        assert (
            await client.get(path, headers={"Cookie": f"heard_staff={token}"})
        ).status_code == 403
