"""Regenerate the portal's screenshots in docs/screenshots/ (what a child sees).

    python -m services.intake.screenshots [--out docs/screenshots]

Serves a throwaway portal, opens it in Debian's Chromium (Playwright, headless) at a phone's
size and saves: the start page in English and in Arabic, the form, the receipt, and the
follow-up page of a complaint with a message from the case worker.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

from services.intake.local_portal import LocalPortal, local_portal

PHONE: ViewportSize = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-background-networking", "--no-first-run"]


def _submit(page: Page, portal: LocalPortal) -> str:
    page.goto(portal.url + "/en/tell/teen")
    page.locator("#narrative").fill("An older boy at school takes my lunch money every day.")
    page.locator('input[name="age_band"][value="12_14"]').check()
    page.locator('button[type="submit"]').click()
    return page.locator(".code").inner_text()


def _message_from_case_worker(portal: LocalPortal) -> None:
    """Casework's step and message, sealed and signed as casework would, applied as consumed."""
    from services.intake.demo import deliver_demo_case_events

    asyncio.run(deliver_demo_case_events(portal.settings))


def take(out: Path) -> list[Path]:
    """Take the screenshots into `out`; returns the files written."""
    chromium = shutil.which("chromium")
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as folder, local_portal(Path(folder)) as portal:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport=PHONE)

            def shot(name: str) -> None:
                shots.append(out / f"{name}.png")
                page.screenshot(path=str(shots[-1]), full_page=True)

            for lang in ("en", "ar"):
                page.goto(f"{portal.url}/{lang}/")
                shot(f"start-{lang}")
            page.goto(portal.url + "/en/tell/young")
            shot("form-en")
            code = _submit(page, portal)
            shot("receipt-en")
            browser.close()
        _message_from_case_worker(portal)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport=PHONE)
            page.goto(portal.url + "/en/follow-up")
            page.locator("#code").fill(code)
            page.locator('button[type="submit"]').click()
            shot("follow-up-en")
            browser.close()
    return shots


def main() -> None:
    """Parse the arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description="Regenerate the portal's screenshots.")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in take(parser.parse_args().out):
        print(path)  # noqa: T201 - a command's output


if __name__ == "__main__":
    main()
