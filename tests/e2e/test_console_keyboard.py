"""The console from the keyboard alone, in Chromium: sign in, skip to the content, reach and
press "Claim this case" with Tab and Enter; the focused control is always visibly outlined."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from services.casework.queues import case_for_complaint
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.runtime import open_runtime
from tests.e2e.test_casework_console import Desk, browser, desk, in_own_thread, new_staff, shot
from tests.support.intake_events import as_intake, submitted
from tests.unit.casework.support import deliver, deliver_record, triaged

__all__ = ["browser", "desk"]  # fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
MAX_TABS = 80


async def _new_case(desk: Desk) -> str:
    keyring = FileKeyring.load(desk.settings.keyring_path)
    sent = submitted()
    async with open_runtime("casework", desk.settings) as runtime:
        assert await deliver_record(runtime, as_intake(EventCodec(keyring, "intake"), sent))
        decision = triaged(complaint_id=sent.complaint_id, priority=2, queue="keyboard")
        assert await deliver(runtime, EventCodec(keyring, "triage"), decision)
        async with runtime.sessions() as session:
            case = await case_for_complaint(session, sent.complaint_id)
    assert case is not None
    return str(case.case_id)


def _focused(page: Page) -> dict[str, str]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const el = document.activeElement;
            return {text: (el.innerText || el.value || "").trim(), name: el.name || "",
                    outline: getComputedStyle(el).outlineStyle};
        }"""
    )


def tab_to(page: Page, *, text: str = "", name: str = "") -> dict[str, str]:
    """Press Tab until the control with `text` (or form `name`) has the focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if (text and focused["text"] == text) or (name and focused["name"] == name):
            return focused
    raise AssertionError(f"Tab never reached {text or name!r}")


def test_a_case_is_claimed_with_the_keyboard_alone(browser: Browser, desk: Desk) -> None:
    kim = in_own_thread(new_staff(desk.settings, "kim", "caseworker"))
    case_id = in_own_thread(_new_case(desk))
    page = browser.new_context().new_page()
    page.goto(f"{desk.console}/console/cases/{case_id}")
    page.wait_for_url("**/signin?**")
    for field, value in (("username", kim.name), ("password", kim.password)):
        tab_to(page, name=field)
        page.keyboard.type(value)
    tab_to(page, name="code")
    page.keyboard.type(kim.totp.now())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/cases/{case_id}")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to content"
    claim = tab_to(page, text="Claim this case")
    assert claim["outline"] != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**?done=assigned")
    assert "<dt>Held by</dt><dd>kim</dd>" in page.content()
    shot(page, "08-claimed-with-the-keyboard")
