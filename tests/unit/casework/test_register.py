"""The register of recommendations to duty-bearers (API and console), and recording a
duty-bearer's response from the case page."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from services.casework.db import Recommendation
from shared.auth import TokenIssuer
from shared.clock import utcnow
from shared.runtime import Runtime
from tests.unit.casework.support import Desk, bearer


async def _decided(desk: Desk, runtime: Runtime) -> None:
    """A decision with two recommendations; the school's response is already late."""
    await desk.examine()
    await desk.decide(
        {
            "findings": "the school did not act",
            "child_views": "she wants to stay",
            "views_weighed": "she stays with a safety plan",
        },
        {"duty_bearer": "School", "text": "train staff", "due_in_days": 30},
        {"duty_bearer": "Town council", "text": "fund a counsellor", "due_in_days": 90},
    )
    async with runtime.sessions() as session:
        late = utcnow() - timedelta(days=1)
        school = col(Recommendation.duty_bearer) == "School"
        await session.exec(update(Recommendation).where(school).values(due_at=late))
        await session.commit()


async def test_the_register_lists_open_and_overdue_first_without_any_text(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    await _decided(desk, runtime)
    for role in ("supervisor", "auditor"):
        answer = await client.get("/api/v1/recommendations", headers=bearer(issuer, "x", role))
        assert answer.status_code == 200
        entries = answer.json()
        assert [(e["duty_bearer"], e["status"], e["overdue"]) for e in entries] == [
            ("School", "open", True),
            ("Town council", "open", False),
        ]
        assert "train staff" not in answer.text
    for role in ("caseworker", "operator", "administrator"):
        refused = await client.get("/api/v1/recommendations", headers=bearer(issuer, "x", role))
        assert refused.status_code == 403
    bad = await client.get("/api/v1/recommendations", params={"status": "lost"}, headers=desk.sam)
    assert bad.status_code == 422


async def test_a_duty_bearers_response_is_recorded_from_the_case_page(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    await _decided(desk, runtime)
    client.cookies.set("heard_staff", issuer.issue("ana", {"caseworker"}))
    page = (await client.get(f"/console/cases/{case_id}")).text
    forms = re.findall(rf'action="(/console/cases/{case_id}/recommendations/[^"]+)"', page)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert len(forms) == 2
    assert token is not None
    without = await client.post(forms[0], data={"status": "implemented"})
    assert without.status_code == 403
    wrong = await client.post(forms[0], data={"csrf": token.group(1), "status": "forgotten"})
    assert wrong.status_code == 422
    form = {"csrf": token.group(1), "status": "implemented", "response": "training held"}
    done = await client.post(forms[0], data=form)
    assert done.status_code == 303
    again = await client.post(forms[0], data=form)
    assert again.status_code == 409
    timeline = (await client.get(f"/api/v1/cases/{case_id}/timeline", headers=desk.sam)).json()
    assert timeline[-1]["action"] == "recommendation_implemented"
    register = (await client.get("/api/v1/recommendations", headers=desk.sam)).json()
    assert [(e["duty_bearer"], e["status"], e["overdue"]) for e in register] == [
        ("Town council", "open", False),  # open ones first
        ("School", "implemented", False),  # answered: no longer overdue
    ]


@pytest.mark.parametrize(
    ("role", "status"), [("supervisor", 200), ("auditor", 200), ("caseworker", 403)]
)
async def test_the_register_page_is_for_supervisors_and_auditors(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    case_id: str,
    role: str,
    status: int,
) -> None:
    await _decided(Desk(client, issuer, case_id), runtime)
    client.cookies.set("heard_staff", issuer.issue("x", {role}))
    page = await client.get("/console/recommendations")
    assert page.status_code == status
    if status == 200:
        assert "Town council" in page.text
        assert "(overdue)" in page.text
        assert "train staff" not in page.text
