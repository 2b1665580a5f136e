"""axe-core in real Chromium finds no accessibility violation on any public page, in any
of the six languages: every page a child can reach, including errors, receipt and case."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from services.intake.i18n import LANGUAGES
from services.intake.local_portal import LocalPortal
from tests.e2e.browser import (
    browser,
    complaint_id_of,
    deliver_from_casework,
    portal,
    screenshots_dir,
)
from tests.unit.intake.support import step_changed

__all__ = ["browser", "portal"]  # fixtures
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture(scope="module")
def visitor(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(bypass_csp=True)  # lets axe's script into the page
    yield context.new_page()
    context.close()


def _submitted(page: Page, portal: LocalPortal, lang: str) -> str:
    page.goto(f"{portal.url}/{lang}/tell/teen")
    page.locator("#narrative").fill("x")
    page.locator('button[type="submit"]').click()
    return page.locator(".code").inner_text()


def _case(page: Page, portal: LocalPortal, lang: str) -> None:
    code = _submitted(page, portal, lang)
    page.goto(f"{portal.url}/{lang}/follow-up")
    page.locator("#code").fill(code)
    page.locator('button[type="submit"]').click()


def _withdraw(page: Page, portal: LocalPortal, lang: str) -> None:
    _case(page, portal, lang)
    page.locator('form[action$="/follow-up/withdraw"] button').click()


def _form_errors(page: Page, portal: LocalPortal, lang: str) -> None:
    page.goto(f"{portal.url}/{lang}/tell/adult")
    page.locator('input[name="consent"][value="no"]').check()
    page.locator('button[type="submit"]').click()


def _wrong_code(page: Page, portal: LocalPortal, lang: str) -> None:
    page.goto(f"{portal.url}/{lang}/follow-up")
    page.locator("#code").fill("0000-0000-0000-0000-0000")
    page.locator('button[type="submit"]').click()


def _closed(page: Page, portal: LocalPortal, lang: str) -> None:
    code = _submitted(page, portal, lang)
    deliver_from_casework(portal, [step_changed(complaint_id_of(portal), "closed")])
    page.goto(f"{portal.url}/{lang}/follow-up")
    page.locator("#code").fill(code)
    page.locator('button[type="submit"]').click()


def _feedback(page: Page, portal: LocalPortal, lang: str) -> None:
    _closed(page, portal, lang)
    page.locator('button[name="felt_heard"][value="yes"]').click()


def _saved(page: Page, portal: LocalPortal, lang: str) -> None:
    _submitted(page, portal, lang)
    page.locator("#saved").check()
    page.locator("form.saved button").click()


def _card(page: Page, portal: LocalPortal, lang: str) -> None:
    _submitted(page, portal, lang)
    page.locator('form[action$="/card"] button').click()


def _proof_not_ready(page: Page, portal: LocalPortal, lang: str) -> None:
    _case(page, portal, lang)  # the throwaway portal has no log to prove anything with
    page.locator('form[action$="/follow-up/receipt"] button').click()


def _goto(path: str) -> Callable[[Page, LocalPortal, str], object]:
    return lambda page, portal, lang: page.goto(portal.url + path.format(lang=lang))


PAGES: dict[str, Callable[[Page, LocalPortal, str], object]] = {
    "start": _goto("/{lang}/"),
    "form young": _goto("/{lang}/tell/young"),
    "form teen": _goto("/{lang}/tell/teen"),
    "form adult": _goto("/{lang}/tell/adult"),
    "form with errors": _form_errors,
    "receipt": _submitted,
    "follow-up": _goto("/{lang}/follow-up"),
    "wrong code": _wrong_code,
    "case": _case,
    "withdraw": _withdraw,
    "closed case": _closed,
    "feedback": _feedback,
    "not found": _goto("/{lang}/nowhere"),
    "code saved": _saved,
    "card": _card,
    "proof not ready": _proof_not_ready,
    "check a receipt": _goto("/{lang}/verify-receipt"),
}


def _check(axe: Axe, page: Page, name: str) -> None:
    results = axe.run(page)
    if results.violations_count:
        screenshots_dir().mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots_dir() / f"axe-{name}.png"), full_page=True)
    assert results.violations_count == 0, results.generate_report()


def test_the_language_chooser_has_no_violation(
    axe: Axe, visitor: Page, portal: LocalPortal
) -> None:
    visitor.goto(portal.url + "/")
    _check(axe, visitor, "chooser")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_every_language_has_no_violation(
    axe: Axe, visitor: Page, portal: LocalPortal, lang: str, name: str
) -> None:
    PAGES[name](visitor, portal, lang)
    _check(axe, visitor, f"{lang}-{name.replace(' ', '-')}")
