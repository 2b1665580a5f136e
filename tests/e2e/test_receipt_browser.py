"""The portal's receipt pages in real Chromium: the in-browser check accepts a genuine
receipt and refuses every forgery (the same ones `heard receipt verify` refuses), without
sending the file anywhere; "I have saved my code" works without JavaScript; screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request

from services.intake.local_portal import LocalPortal, local_portal
from tests.e2e.browser import browser, screenshots_dir
from tests.support.receipts import INDEX, ORIGIN, SIZE, make_receipts

__all__ = ["browser"]  # fixtures
pytestmark = pytest.mark.e2e
RECEIPTS = make_receipts()
FORGERIES = {
    "wrong salt": "the file was changed",
    "other index": "the file was changed",
    "other time": "the file was changed",
    "tampered proof": "the file was changed",
    "no witness": "No trusted witness",
    "other log's key": "The log's key did not sign",
    "not a proof": "not a receipt file",
}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPortal]:
    """The portal, configured with the log's and the witness's keys."""
    folder = tmp_path_factory.mktemp("receipt-portal")
    keys = {"log_key": RECEIPTS.log_key, "witness_keys": [RECEIPTS.witness_key]}
    with local_portal(
        folder,
        lookup_floor_seconds=0.0,
        submission_limit=1000,
        no_work_submission_limit=1000,
        **keys,
    ) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _check(page: Page, portal: LocalPortal, text: str, tmp_path: Path) -> tuple[str, str]:
    sent: list[Request] = []
    page.goto(f"{portal.url}/en/verify-receipt")
    page.on("request", lambda request: sent.append(request))
    receipt = tmp_path / "heard-receipt.tlog-proof"
    receipt.write_text(text, encoding="utf-8")
    page.locator("#receipt").set_input_files(str(receipt))
    page.locator("#verify button").click()
    page.locator("#verdict h2").wait_for()
    assert sent == []  # checked on the device: nothing left the page
    return page.locator("#verdict h2").inner_text(), page.locator("#verdict").inner_text()


def test_a_genuine_receipt_is_shown_as_genuine_in_plain_words(
    page: Page, portal: LocalPortal, tmp_path: Path
) -> None:
    title, verdict = _check(page, portal, RECEIPTS.genuine, tmp_path)
    assert title == "This receipt is genuine."
    assert "Registered on 2026-11-23 22:55 UTC." in verdict
    assert f"In the log {ORIGIN}, as entry {INDEX} of {SIZE}." in verdict
    assert "the log has not been rewritten since" in verdict
    screenshots_dir().mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots_dir() / "receipt-genuine-en.png"), full_page=True)


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_every_forgery_is_refused_in_the_browser(
    page: Page, portal: LocalPortal, tmp_path: Path, forgery: str
) -> None:
    title, verdict = _check(page, portal, RECEIPTS.forgeries[forgery], tmp_path)
    assert title == "This receipt is NOT valid."
    assert FORGERIES[forgery] in verdict
    if forgery == "tampered proof":
        page.screenshot(path=str(screenshots_dir() / "receipt-forged-en.png"), full_page=True)


def test_another_log_key_is_refused_in_the_browser(
    page: Page, portal: LocalPortal, tmp_path: Path
) -> None:
    page.goto(f"{portal.url}/en/verify-receipt")
    page.locator("#log-key").fill(RECEIPTS.other_log_key)
    receipt = tmp_path / "r.tlog-proof"
    receipt.write_text(RECEIPTS.genuine, encoding="utf-8")
    page.locator("#receipt").set_input_files(str(receipt))
    page.locator("#verify button").click()
    page.locator("#verdict h2").wait_for()
    assert "The log's key did not sign" in page.locator("#verdict").inner_text()


def _submit(page: Page, portal: LocalPortal) -> str:
    page.goto(f"{portal.url}/ar/tell/teen")
    page.locator("#narrative").fill("x")
    page.locator('button[type="submit"]').click()
    return page.locator(".code").inner_text()


def test_a_card_can_be_printed_without_javascript(browser: Browser, portal: LocalPortal) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    code = _submit(page, portal)
    assert len(code.replace(" ", "")) == 16
    page.screenshot(path=str(screenshots_dir() / "receipt-code-ar.png"), full_page=True)
    page.locator('form[action$="/card"] button').click()
    assert page.locator(".printable .code").inner_text() == code
    page.screenshot(path=str(screenshots_dir() / "receipt-card-ar.png"), full_page=True)
    context.close()


def test_saving_the_code_is_confirmed_without_javascript(
    browser: Browser, portal: LocalPortal
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    code = _submit(page, portal)
    page.locator("#saved").check()
    page.locator("form.saved button").click()
    assert page.locator("h1").inner_text() == "تم حفظ رمزك"
    page.screenshot(path=str(screenshots_dir() / "receipt-saved-ar.png"), full_page=True)
    page.goto(f"{portal.url}/ar/follow-up")
    page.locator("#code").fill(code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    page.locator('button[type="submit"]').click()
    assert page.locator("#next-time").count() == 1  # the first return says where to find it
    page.screenshot(path=str(screenshots_dir() / "receipt-first-return-ar.png"), full_page=True)
    page.goto(f"{portal.url}/ar/follow-up")
    page.locator("#code").fill(code)
    page.locator('button[type="submit"]').click()
    assert page.locator("#next-time").count() == 0
    context.close()
