"""The oversight console in real Chromium (Debian's /usr/bin/chromium): axe-core finds no
violation on the trail, a case's timeline or the statistics (all, and by region), and all
work without JavaScript."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import get_args

import pytest
import uvicorn
from axe_playwright_python.async_playwright import Axe
from fastapi import FastAPI
from playwright.async_api import Browser, async_playwright

from deploy.ports import free_port
from services.audit.integrator import integrate_all
from services.audit.settings import AuditSettings
from services.audit.statistics_db import record_statistic
from shared.auth import TokenIssuer
from shared.events.contracts import CaseMilestone, ComplaintProfiled
from shared.events.contracts.casework import Elapsed, Milestone
from shared.runtime import Runtime
from tests.unit.audit.support import append_entries, event_id_of

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


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


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail("needs Debian's chromium: apt-get install -y chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield launched
        await launched.close()


async def _filled(base_url: str, app: FastAPI, settings: AuditSettings) -> None:
    runtime: Runtime = app.state.runtime
    await append_entries(runtime, 0, 12)
    await integrate_all(runtime, settings)
    async with runtime.uow() as uow:
        for n in range(40):
            await record_statistic(uow.session, _profile(n))
        for n in range(60):
            await record_statistic(uow.session, _milestone(n))
        await uow.commit()


def _milestone(n: int) -> CaseMilestone:
    reached: tuple[Milestone, str | None] = (
        ("acknowledged", None),
        ("admissibility_decided", "admissible"),
        ("decided", None),
        ("ended", "closed_after_decision"),
        ("referred", "social"),
    )[n % 5]
    return CaseMilestone(
        milestone_id=uuid.UUID(int=1000 + n),
        period="2026-10",
        milestone=reached[0],
        outcome=reached[1],
        elapsed=get_args(Elapsed)[n % 4],
        region=("north", "south")[n % 2],
        category=("violence", "education")[n % 3 % 2],
        urgency="urgent",
    )


def _profile(n: int) -> ComplaintProfiled:
    return ComplaintProfiled(
        profile_id=uuid.UUID(int=n + 1),
        period="2026-10",
        channel=("web", "phone", "sms")[n % 3],
        language="en",
        submitted_by=("child", "adult")[n % 2],
        age_band=("8_11", "12_14", "15_17")[n % 3],
        gender=("girl", "boy", "non_binary")[min(n % 9, 2)],
        disability=(None, True, False)[n % 3],
        region=("north", "south", "east", "west", "islands")[n % 5 if n < 38 else 0],
        categories=[("violence", "education", "neglect", "online")[n % 4]],
        urgency=("standard", "urgent")[n % 2],
    )


async def test_the_console_is_accessible_and_needs_no_script(
    base_url: str, app: FastAPI, settings: AuditSettings, browser: Browser, issuer: TokenIssuer
) -> None:
    await _filled(base_url, app, settings)
    context = await browser.new_context(java_script_enabled=False)
    token = issuer.issue("ada", {"auditor"})
    await context.add_cookies([{"name": "heard_staff", "value": token, "url": base_url}])
    page = await context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.goto(f"{base_url}/console/")
    assert await page.locator("tbody tr").count() == 12
    await page.screenshot(path=str(SHOTS / "audit-console-trail.png"), full_page=True)
    await page.select_option("#source", "/heard/intake")
    await page.click("button[type=submit]")
    assert "source=%2Fheard%2Fintake" in page.url
    await page.goto(f"{base_url}/console/cases/{event_id_of(3)}")
    await page.screenshot(path=str(SHOTS / "audit-console-case.png"), full_page=True)
    await page.goto(f"{base_url}/console/statistics")
    await page.screenshot(path=str(SHOTS / "audit-console-statistics.png"), full_page=True)
    await page.select_option("#region", "north")
    await page.click("button[type=submit]")
    assert "region=north" in page.url
    assert await page.get_by_role("heading", name="Time to close").count() == 1
    await page.screenshot(path=str(SHOTS / "audit-console-statistics-north.png"), full_page=True)
    await context.close()
    checked = await browser.new_context()
    await checked.add_cookies([{"name": "heard_staff", "value": token, "url": base_url}])
    axe_page = await checked.new_page()
    for path in (
        "/console/",
        f"/console/cases/{event_id_of(3)}",
        "/console/?case=" + event_id_of(1),
        "/console/statistics",
        "/console/statistics?period=2026-10&region=north",
    ):
        await axe_page.goto(base_url + path)
        results = await Axe().run(axe_page)
        assert results.violations_count == 0, results.generate_report()
    await checked.close()
