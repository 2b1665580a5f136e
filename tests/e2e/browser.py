"""Real Chromium for the portal's browser tests: Debian's package, driven by Playwright.

Tests skip, saying why, only when no Chromium can be found (scripts/bootstrap.sh installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from services.intake.local_portal import LocalPortal, local_portal
from shared.events.contracts import EventData
from shared.runtime import open_runtime

T = TypeVar("T")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or the one named in HEARD_CHROMIUM."""
    return os.environ.get("HEARD_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium: run scripts/bootstrap.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPortal]:
    """The real intake app on a free port (no wrong-code floor, a high submission limit)."""
    folder = tmp_path_factory.mktemp("portal")
    with local_portal(
        folder, lookup_floor_seconds=0.0, submission_limit=1000, no_work_submission_limit=1000
    ) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


def _in_own_thread(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # Playwright's sync API keeps an event loop on this thread: async work runs beside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


def deliver_from_casework(portal: LocalPortal, events: list[EventData]) -> None:
    """Casework's events, sealed and signed as casework, through intake's real consumer loop."""
    from tests.unit.intake.support import consume, from_casework

    async def run() -> None:
        async with open_runtime("intake", portal.settings) as runtime:
            records = [from_casework(runtime.keyring, e, n) for n, e in enumerate(events)]
            refused = await consume(runtime, records)
            assert not refused.refused

    _in_own_thread(run)


def complaint_id_of(portal: LocalPortal) -> uuid.UUID:
    """The newest complaint's id (from the outbox, as the relay would send it)."""
    from shared.bus.outbox import OutboxMessage
    from tests.unit.intake.support import rows

    async def newest() -> uuid.UUID:
        async with open_runtime("intake", portal.settings) as runtime:
            complaints = [r for r in await rows(runtime, OutboxMessage) if r.topic == "complaints"]
            return uuid.UUID(complaints[-1].key.decode())

    return _in_own_thread(newest)


def screenshots_dir() -> Path:
    """Where the tests may keep screenshots for a human to look at."""
    return Path(os.environ.get("HEARD_SCREENSHOTS", "var/test-screenshots"))
