"""How cases go, in figures: times, outcomes, breaches, referrals and pattern alerts, for all
or for one region or category, with no count below 5 shown or derivable."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.db import AuditLogEntry
from services.audit.figures import Table
from services.audit.settings import AuditSettings
from services.audit.statistics import as_csv
from services.audit.statistics_db import record_statistic
from shared.auth import TokenIssuer
from shared.events.contracts import CaseMilestone, SystemicPatternDetected
from shared.events.contracts.casework import Elapsed, Milestone
from shared.runtime import Runtime
from tests.support.apps import app_client

# (milestone, outcome, elapsed, region, category, how many)
REACHED: list[tuple[Milestone, str | None, Elapsed, str, str, int]] = [
    ("acknowledged", None, "under_1_hour", "north", "violence", 19),
    ("acknowledged", None, "1_24_hours", "north", "violence", 12),
    ("acknowledged", None, "1_24_hours", "south", "education", 3),
    ("acknowledged", None, "1_24_hours", "south", "violence", 6),
    ("acknowledged", None, "1_7_days", "south", "violence", 7),
    ("acknowledged", None, "under_1_hour", "east", "violence", 6),
    ("acknowledged", None, "1_24_hours", "east", "violence", 9),
    ("acknowledged", None, "1_7_days", "east", "violence", 8),
    ("ended", "closed_after_decision", "1_3_months", "north", "violence", 7),
    ("ended", "withdrawn", "1_7_days", "north", "education", 2),
    ("deadline_breached", "acknowledge", "1_7_days", "east", "violence", 5),
    ("referred", "health", "1_24_hours", "north", "violence", 6),
]


def _milestone(row: tuple[Any, ...], period: str) -> CaseMilestone:
    milestone, outcome, elapsed, region, category, _ = row
    return CaseMilestone(
        milestone_id=uuid.uuid4(),
        period=period,
        milestone=milestone,
        outcome=outcome,
        elapsed=elapsed,
        region=region,
        category=category,
        urgency="urgent",
    )


def _alert_entry(position: int) -> AuditLogEntry:
    return AuditLogEntry(
        position=position,
        entry_hash="00" * 32,
        leaf_hash="11" * 32,
        event_id=str(uuid.uuid4()),
        source="/heard/triage",
        type=SystemicPatternDetected.type_name,
        topic="triage",
        partition=0,
        offset=position,
        appended_at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC),
    )


@pytest.fixture
async def client(settings: AuditSettings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings, integrate=False)
    async with app_client(app) as running:
        runtime: Runtime = app.state.runtime
        async with runtime.uow() as uow:
            for row in REACHED:
                for _ in range(row[-1]):
                    await record_statistic(uow.session, _milestone(row, "2026-10"))
            repeated = _milestone(REACHED[0], "2026-10")
            await record_statistic(uow.session, repeated)
            await record_statistic(uow.session, repeated)  # redelivered: counted once
            uow.session.add(_alert_entry(0))
            uow.session.add(_alert_entry(1))
            await uow.commit()
        yield running


@pytest.fixture
def auditor(issuer: TokenIssuer) -> dict[str, str]:
    return {"Cookie": f"heard_staff={issuer.issue('ada', {'auditor'})}"}


async def _tables(client: httpx.AsyncClient, auditor: dict[str, str], **params: str) -> Any:
    answer = await client.get("/console/statistics.json", params=params, headers=auditor)
    assert answer.status_code == 200, answer.text
    return {t["dimension"]: t for t in answer.json()["tables"]}


async def test_times_come_in_band_order_with_small_cells_hidden(
    client: httpx.AsyncClient, auditor: dict[str, str]
) -> None:
    tables = await _tables(client, auditor, period="2026-10")
    acknowledged = tables["time_to_acknowledge"]
    assert list(acknowledged["cells"]) == ["under_1_hour", "1_24_hours", "1_7_days"]
    assert acknowledged["cells"] == {"under_1_hour": 26, "1_24_hours": 30, "1_7_days": 15}
    assert acknowledged["total"] == 71
    ended = tables["outcome"]
    assert ended["cells"] == {"closed_after_decision": None, "withdrawn": None}
    assert ended["total"] == 9
    assert tables["deadlines_breached"]["cells"] == {"acknowledge": 5}
    assert tables["referrals"]["cells"] == {"health": 6}
    assert tables["time_to_decision"]["cells"] == {}
    assert tables["systemic_pattern_alerts"]["cells"] == {"alerts": 2}
    later = await _tables(client, auditor, period="2026-11")
    assert later["systemic_pattern_alerts"]["cells"] == {"alerts": 0}


async def test_one_region_is_one_group_of_a_grid_suppressed_with_the_others(
    client: httpx.AsyncClient, auditor: dict[str, str]
) -> None:
    regions = {
        region: (await _tables(client, auditor, region=region))["time_to_acknowledge"]
        for region in ("north", "south", "east")
    }
    assert regions["north"]["cells"] == {"under_1_hour": 20, "1_24_hours": 12}
    assert regions["south"]["cells"] == {"1_24_hours": 9, "1_7_days": 7}
    # The 3 in education must not follow from all categories minus violence: both hidden.
    violence = (await _tables(client, auditor, category="violence"))["time_to_acknowledge"]
    education = (await _tables(client, auditor, category="education"))["time_to_acknowledge"]
    assert education["cells"] == {"1_24_hours": None}
    assert education["total"] is None
    assert violence["cells"]["1_24_hours"] is None
    assert violence["total"] is None
    assert violence["cells"]["under_1_hour"] == 26
    # Sparse figures hide more: the outcomes of the north hide each other.
    north = await _tables(client, auditor, region="north")
    assert north["outcome"]["cells"] == {"closed_after_decision": None, "withdrawn": None}
    assert "systemic_pattern_alerts" not in north
    assert "felt_heard" not in north


async def test_the_page_and_the_csv_carry_the_breakdown(
    client: httpx.AsyncClient, auditor: dict[str, str]
) -> None:
    page = await client.get("/console/statistics", params={"region": "north"}, headers=auditor)
    assert page.status_code == 200
    assert "Time to acknowledge" in page.text
    assert ">1 to 24 hours<" in page.text  # codes read as words on the page
    assert "region north" in page.text
    assert "statistics.csv?period=&amp;region=north" in page.text
    exported = await client.get(
        "/console/statistics.csv", params={"region": "north"}, headers=auditor
    )
    assert "all,region=north,time_to_acknowledge,under_1_hour,20" in exported.text
    assert "all,region=north,outcome,withdrawn,suppressed" in exported.text


@pytest.mark.parametrize(
    "params",
    [
        {"region": "north", "category": "violence"},  # one breakdown at a time
        {"region": "x" * 101},
        {"category": "x" * 65},
    ],
)
async def test_a_bad_breakdown_is_a_4xx_naming_it(
    client: httpx.AsyncClient, auditor: dict[str, str], params: dict[str, str]
) -> None:
    for path in ("/console/statistics", "/console/statistics.json", "/console/statistics.csv"):
        answer = await client.get(path, params=params, headers=auditor)
        assert answer.status_code in (400, 422)
        assert any(name in answer.text for name in params)
        assert "x" * 20 not in answer.text


def test_the_csv_never_starts_a_spreadsheet_formula() -> None:
    table = Table("region", {"=HYPERLINK(1)": 9, "north": 7}, 16)
    exported = as_csv("2026-10", ("region", "@x"), [("Region", table)])
    assert ",'=HYPERLINK(1),9" in exported
    assert "region='@x" not in exported  # the scope starts with "region=", which is safe
    assert ",north,7" in exported
