"""A case worker's message, written in the console in Chromium, arrives on the child's
follow-up page in Chromium.

The child submits on intake's real portal; intake's records reach casework's real consumer,
and casework's outbox reaches intake's real consumer: the very records the relays would
publish (Kafka's own leg is tested in tests/integration and the whole-system tests).
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from services.casework.queues import case_for_complaint
from services.intake.local_portal import LocalPortal, local_portal
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.runtime import open_runtime
from tests.e2e.browser import complaint_id_of
from tests.e2e.test_casework_console import (
    Desk,
    accessible,
    browser,
    desk,
    in_own_thread,
    new_staff,
    shot,
    sign_in,
    step,
)
from tests.support.consumed import consumer_record
from tests.unit.casework.support import deliver, deliver_record, triaged
from tests.unit.intake.support import consume, rows

__all__ = ["browser", "desk"]  # fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
MESSAGE = "Thank you for telling us. Is there an adult at school you trust?"


async def _to_casework(portal: LocalPortal, desk: Desk, complaint_id: uuid.UUID) -> str:
    """Intake's records for the complaint, and triage's decision, through casework's consumer;
    the case's id."""
    async with open_runtime("intake", portal.settings) as intake:
        sent = [r for r in await rows(intake, OutboxMessage) if r.key == str(complaint_id).encode()]
    keyring = FileKeyring.load(desk.settings.keyring_path)
    async with open_runtime("casework", desk.settings) as casework:
        for row in sent:
            assert await deliver_record(casework, row.to_record())
        decision = triaged(complaint_id=complaint_id, priority=2, queue="online")
        assert await deliver(casework, EventCodec(keyring, "triage"), decision)
        async with casework.sessions() as session:
            case = await case_for_complaint(session, complaint_id)
    assert case is not None
    return str(case.case_id)


async def _to_intake(portal: LocalPortal, desk: Desk, complaint_id: uuid.UUID) -> None:
    """Casework's records about the complaint through intake's consumer."""
    async with open_runtime("casework", desk.settings) as casework:
        sent = [
            r for r in await rows(casework, OutboxMessage) if r.key == str(complaint_id).encode()
        ]
    records = [consumer_record(r.to_record(), offset=n) for n, r in enumerate(sent)]
    async with open_runtime("intake", portal.settings) as intake:
        assert not (await consume(intake, records)).refused


def test_a_message_from_the_console_arrives_on_the_childs_follow_up_page(
    browser: Browser, desk: Desk
) -> None:
    lea = in_own_thread(new_staff(desk.settings, "lea", "caseworker"))
    with local_portal(desk.settings.keyring_path.parent) as portal:
        child = browser.new_context().new_page()
        child.goto(f"{portal.url}/en/tell/teen")
        child.locator("#narrative").fill("A boy in my class posts photos of me to mock me.")
        child.locator('input[name="age_band"][value="12_14"]').check()
        child.locator('button[type="submit"]').click()
        code = child.locator(".code").inner_text().strip()
        complaint_id = complaint_id_of(portal)
        case_id = in_own_thread(_to_casework(portal, desk, complaint_id))

        worker = browser.new_context().new_page()
        sign_in(worker, desk, lea, f"{desk.console}/console/cases/{case_id}")
        step(worker, "Claim this case")
        worker.get_by_label("Message", exact=True).fill(MESSAGE)
        worker.get_by_role("button", name="Send to the child").click()
        worker.wait_for_url("**?done=message")
        assert MESSAGE in worker.locator("#messages-h + ul").inner_text()
        shot(worker, "06-message-to-child")
        accessible(worker, "case with a message")

        in_own_thread(_to_intake(portal, desk, complaint_id))
        child.goto(f"{portal.url}/en/follow-up")
        child.locator("#code").fill(code)
        child.locator('button[type="submit"]').click()
        expect(child.locator(".message.to_child .body")).to_have_text(MESSAGE)
        shot(child, "07-child-reads-the-message")
