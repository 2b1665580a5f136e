"""The portal in real Chromium: a child submits in English and in Arabic, keeps the code,
follows up, reads the case worker's message (casework's event through intake's consumer),
replies and withdraws; quick exit; keyboard only; no JavaScript; text at 200%."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from services.intake.local_portal import LocalPortal
from tests.e2e.browser import (
    browser,
    complaint_id_of,
    deliver_from_casework,
    page,
    portal,
)
from tests.unit.intake.support import message_to_child, step_changed

__all__ = ["browser", "page", "portal"]  # fixtures
pytestmark = pytest.mark.e2e
CODE = re.compile(r"^[0-9]{4}( [0-9]{4}){3}$")


def _submit(page: Page, portal: LocalPortal, lang: str, language_name: str, who: str) -> str:
    page.goto(portal.url + "/")
    page.get_by_role("link", name=re.compile(language_name)).click()
    page.locator(f'a[href="/{lang}/tell/{who}"]').click()
    page.locator("#narrative").fill("My uncle hits me when my mother is at work.")
    page.locator('input[name="age_band"][value="12_14"]').check()
    page.locator('button[type="submit"]').click()
    code = page.locator(".code").inner_text().strip()
    assert CODE.match(code)
    return code


def _open_follow_up(page: Page, portal: LocalPortal, lang: str, code: str) -> None:
    page.goto(f"{portal.url}/{lang}/follow-up")
    page.locator("#code").fill(code)
    page.locator('button[type="submit"]').click()
    assert code not in page.url


@pytest.mark.parametrize(
    ("lang", "name", "message", "withdrawn"),
    [
        ("en", "English", "Thank you. Where does your uncle live?", "You stopped your complaint."),
        ("ar", "العربية", "شكرًا لك. أين يعيش عمك؟", "لقد أوقفت شكواك."),
    ],
)
def test_a_child_submits_follows_up_reads_replies_and_withdraws(
    page: Page, portal: LocalPortal, lang: str, name: str, message: str, withdrawn: str
) -> None:
    code = _submit(page, portal, lang, name, "teen")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    complaint_id = complaint_id_of(portal)
    deliver_from_casework(
        portal,
        [
            step_changed(complaint_id, "admissibility_review"),
            message_to_child(complaint_id, message),
        ],
    )
    _open_follow_up(page, portal, lang, code)
    expect(page.locator(".message.to_child .body")).to_have_text(message)
    page.locator("#reply").fill("He lives with us.")
    page.locator('form[action$="/follow-up/reply"] button').click()
    page.locator('form[action$="/follow-up"] button').click()
    expect(page.locator(".message.from_child .body")).to_have_text("He lives with us.")
    page.locator('form[action$="/follow-up/withdraw"] button').click()
    page.locator('form[action$="/withdraw/confirm"] button').click()
    page.locator('form[action$="/follow-up"] button').click()
    expect(page.locator(".status")).to_have_text(withdrawn)


def test_quick_exit_leaves_and_replaces_the_history_entry(page: Page, portal: LocalPortal) -> None:
    neutral = portal.settings.quick_exit_url
    page.route(
        neutral + "**",
        lambda route: route.fulfill(body="<title>neutral</title>", content_type="text/html"),
    )
    page.goto(portal.url + "/en/")
    page.goto(portal.url + "/en/tell/young")
    before = page.evaluate("history.length")
    page.locator("[data-exit]").click()
    page.wait_for_url(neutral + "**")
    assert page.evaluate("history.length") == before  # replaced, not added
    page.go_back()
    assert page.url == portal.url + "/en/"  # the form page is gone from the history


def test_quick_exit_works_without_javascript(browser: Browser, portal: LocalPortal) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    neutral = portal.settings.quick_exit_url
    page.route(
        neutral + "**",
        lambda route: route.fulfill(body="<title>neutral</title>", content_type="text/html"),
    )
    page.goto(portal.url + "/fr/")
    page.locator("[data-exit]").click()
    page.wait_for_url(neutral + "**")
    context.close()


def test_the_whole_flow_works_without_javascript(browser: Browser, portal: LocalPortal) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    code = _submit(page, portal, "es", "Español", "young")
    _open_follow_up(page, portal, "es", code)
    page.locator("#add").fill("También pasó ayer.")
    page.locator('form[action$="/follow-up/add"] button').click()
    page.locator('form[action$="/follow-up"] button').click()
    expect(page.locator(".message.information .body")).to_have_text("También pasó ayer.")
    context.close()


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_complaint_can_be_sent_with_the_keyboard_alone(page: Page, portal: LocalPortal) -> None:
    page.goto(portal.url + "/ru/")
    _tab_to(page, 'a[href="/ru/tell/teen"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/ru/tell/teen")
    _tab_to(page, "#narrative")
    page.keyboard.type("Меня обижают в школе.")
    _tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator(".code")).to_have_text(CODE)


@pytest.mark.parametrize("path", ["/ar/", "/zh/tell/adult", "/fr/follow-up"])
def test_text_at_200_percent_loses_nothing_on_a_small_screen(
    browser: Browser, portal: LocalPortal, path: str
) -> None:
    context = browser.new_context(viewport={"width": 640, "height": 800})
    page = context.new_page()
    page.goto(portal.url + path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    expect(page.locator("[data-exit]")).to_be_visible()
    context.close()
