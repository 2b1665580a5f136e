"""The case workers' console in real Chromium (Debian's package, driven by Playwright):
sign in with a password and TOTP, claim a P1 case, record interim measures, refer and record
the service's answers, message the child, decide, get a supervisor's approval, close; axe-core
finds no violation.

Casework and sign-in run as real uvicorn servers on this host (two ports: one sign-in cookie
serves both); the case arrives through casework's own handlers, sealed as intake and triage
would send it. Screenshots land in var/screenshots/casework/.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyotp
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from services.casework.app import create_app
from services.casework.bootstrap import SERVICE as SPEC
from services.casework.settings import CaseworkSettings
from services.casework.signin.accounts import add_account
from services.casework.signin.app import create_signin_app
from services.casework.signin.settings import SigninSettings
from services.casework.signin.totp_keys import TotpSealer
from shared.auth import ensure_issuer_files
from shared.crypto.keyring import FileKeyring, init_keyring_file
from shared.db.engine import make_engine, make_session_factory
from shared.events.codec import EventCodec
from shared.runtime import open_runtime
from tests.support.intake_events import as_intake, submitted
from tests.support.services import migrated_sqlite
from tests.unit.casework.support import deliver, deliver_record, triaged

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
T = TypeVar("T")
SHOTS = Path("var/screenshots/casework")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_own_thread(work: Coroutine[Any, Any, T]) -> T:
    # Playwright's sync API holds an event loop on the test's thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` under a real uvicorn on a free port of this host, for the block's duration."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass(frozen=True)
class Staff:
    """A member of staff's sign-in details."""

    name: str
    password: str
    totp: pyotp.TOTP


@dataclass(frozen=True)
class Desk:
    """Casework and sign-in running, two staff accounts, one P1 case."""

    console: str
    signin: str
    ana: Staff
    sam: Staff
    settings: CaseworkSettings


async def new_staff(settings: CaseworkSettings, name: str, role: str) -> Staff:
    """A new account, as `heard staff add` makes it."""
    engine = make_engine(settings.database_url)
    async with make_session_factory(engine)() as session:
        sealer = TotpSealer.from_folder(settings.staff_keys_folder())
        given = await add_account(session, sealer, name, {role})
        await session.commit()
    await engine.dispose()
    return Staff(given.username, given.password, pyotp.TOTP(given.totp_secret))


async def _prepare(settings: CaseworkSettings, keyring: FileKeyring) -> tuple[Staff, Staff]:
    async with open_runtime("casework", settings, keyring) as runtime:
        sub = submitted()
        assert await deliver_record(runtime, as_intake(EventCodec(keyring, "intake"), sub))
        decision = triaged(complaint_id=sub.complaint_id, priority=1, queue="online")
        assert await deliver(runtime, EventCodec(keyring, "triage"), decision)
    return await new_staff(settings, "ana", "caseworker"), await new_staff(
        settings, "sam", "supervisor"
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("console")
    keyring_path = folder / "keyring.json"
    init_keyring_file(keyring_path)
    ensure_issuer_files(folder)
    url = migrated_sqlite(folder, SPEC)
    signin_port_hint = SigninSettings(database_url=url, HEARD_KEYRING=keyring_path)
    with served(create_signin_app(signin_port_hint)) as signin:
        settings = CaseworkSettings(
            database_url=url,
            HEARD_KEYRING=keyring_path,
            signin_url=signin,
            pager_file=folder / "pages.jsonl",
        )
        ana, sam = in_own_thread(_prepare(settings, FileKeyring.load(keyring_path)))
        with served(create_app(settings)) as console:
            yield Desk(console, signin, ana, sam, settings)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("HEARD_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.skip("no Chromium: run scripts/bootstrap.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(page: Page, name: str) -> None:
    """axe-core on the page in its own CSP-free copy (axe needs to inject its script)."""
    context = page.context.browser.new_context(bypass_csp=True)  # type: ignore[union-attr]
    context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
    copy = context.new_page()
    copy.goto(page.url)
    results = Axe().run(copy)
    context.close()
    assert results.violations_count == 0, (name, results.generate_report())


def sign_in(page: Page, desk: Desk, who: Staff, target: str) -> None:
    page.goto(target)
    page.get_by_label("Name").fill(who.name)
    page.get_by_label("Password").fill(who.password)
    page.get_by_label("Code from your authenticator app").fill(who.totp.now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{desk.console}/**")


def step(page: Page, button: str, reason: str | None = None) -> None:
    form = page.locator("form", has=page.get_by_role("button", name=button, exact=True))
    if reason is not None:
        form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".error").count() == 0, page.locator(".error").inner_text()


def move_referral(page: Page, status: str, option: str) -> None:
    """Record the social services' answer to the referral from the case page."""
    form = page.locator("form", has=page.get_by_role("button", name="Record the referral's status"))
    form.get_by_label(
        "New status of the referral to Social services (child protection)"
    ).select_option(label=option)
    form.get_by_role("button").click()
    page.wait_for_url(f"**?done=referral-{status}")
    assert page.locator(".error").count() == 0
    assert f"Social services (child protection): {status} since" in page.content()


def test_claim_protect_refer_message_decide_approve_close(browser: Browser, desk: Desk) -> None:
    ana = browser.new_context().new_page()
    sign_in(ana, desk, desk.ana, f"{desk.console}/console/")
    assert "Open cases" in ana.content()
    shot(ana, "01-queue")
    accessible(ana, "queue")

    assert "Pages waiting for someone" in ana.content()  # the P1 case paged the on-call staff
    ana.get_by_role("button", name="Take it").click()
    ana.wait_for_url("**/console/cases/**")
    step(ana, "Claim this case")
    ana.get_by_label("Why you need to know who the child is").fill("to call her back safely")
    ana.get_by_role("button", name="Show who the child is").click()
    assert "Safe to contact" in ana.locator("#said-h ~ dl").inner_text()
    accessible(ana, "identity")
    ana.get_by_label("Why you need to read it").fill("handling the case")
    ana.get_by_role("button", name="Show what the child said").click()
    assert "ZEBRA-MARKER" in ana.locator(".said").first.inner_text()
    case_url = ana.url.split("?")[0]
    ana.goto(case_url)
    step(ana, "Acknowledge")
    ana.get_by_label("What was done to protect the child").fill("safety plan with the school")
    ana.get_by_role("button", name="Record interim measures").click()
    ana.get_by_label("Service").select_option("social")
    ana.get_by_label("The child's consent is recorded").check()
    ana.get_by_role("button", name="Refer").click()
    move_referral(ana, "accepted", "Accepted by the service")
    ana.get_by_label("Message", exact=True).fill("We are here for you. Are you safe tonight?")
    ana.get_by_role("button", name="Send to the child").click()
    shot(ana, "02-case-protected")
    accessible(ana, "case")
    move_referral(ana, "done", "Done by the service")
    shot(ana, "02b-referral-done")
    for button in ("Review", "Declare admissible", "Transmit", "Examine"):
        step(ana, button, reason=f"{button.lower()}: on the facts")
    ana.get_by_label("Findings").fill("the school did not act on two reports")
    ana.get_by_label("The child's own views").fill("she wants to stay at her school")
    ana.get_by_label("How the child's views were weighed").fill("she stays, with a safety plan")
    ana.get_by_label("Recommendation to (duty-bearer)").fill("School board")
    ana.get_by_label("Recommendation", exact=True).fill("train staff on reports")
    ana.get_by_role("button", name="Record the decision").click()
    step(ana, "Follow up")
    form = ana.locator("form", has_text="Ask a supervisor to approve: close")
    form.get_by_label("Reason").fill("recommendations implemented")
    form.get_by_role("button").click()
    shot(ana, "03-case-asked-to-close")

    sam = browser.new_context().new_page()
    sign_in(sam, desk, desk.sam, case_url)
    sam.get_by_label("Your answer").select_option("approve")
    sam.locator("form", has_text="Close, asked by ana").get_by_label("Reason").fill("agreed")
    sam.get_by_role("button", name="Answer").click()
    sam.wait_for_load_state()
    assert "<dt>Step</dt><dd>closed</dd>" in sam.content()
    shot(sam, "04-case-closed")
    assert sam.get_by_role("link", name="PDF").get_attribute("href", timeout=5000)
    timeline = sam.locator("#timeline-h + table").inner_text()
    for entry in (
        "assign",
        "interim measures",
        "referral requested",
        "referral accepted",
        "referral done",
        "message",
        "closed",
    ):
        assert entry in timeline, entry
    sam.goto(f"{desk.console}/console/workload")
    shot(sam, "05-workload")
    accessible(sam, "workload")
    sam.goto(f"{desk.console}/console/recommendations")
    assert "School board" in sam.locator("table").inner_text()
    shot(sam, "05b-recommendations")
    accessible(sam, "recommendations")
