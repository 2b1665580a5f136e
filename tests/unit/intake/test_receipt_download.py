"""Asking intake for a receipt: only the code's holder gets it, and only once the log has a
witnessed tree holding its commitment; bad requests get a 4xx naming what was wrong."""

from __future__ import annotations

import httpx
import pytest

from services.intake.app import create_app
from services.intake.errors import ReceiptNotReady
from services.intake.receipt_proof import check
from services.intake.settings import IntakeSettings
from tests.support.apps import app_client
from tests.support.receipts import make_receipts
from tests.unit.intake.portal_client import Visitor, receipt_code

URL = "/api/v1/receipts/proof"
BODY = {"channel": "web", "language": "en", "narrative": "x", "submitted_by": "child"}


async def test_a_receipt_is_not_ready_until_the_log_answers(settings: IntakeSettings) -> None:
    app = create_app(settings.model_copy(update={"log_url": "http://127.0.0.1:9/log"}))
    async with app_client(app) as client:
        code = (await client.post("/api/v1/complaints", json=BODY)).json()["receipt_code"]
        answer = await client.post(URL, json={"receipt_code": code})
        assert answer.status_code == 503
        assert "not ready yet" in answer.text
        visitor = Visitor(client)
        page = await visitor.submit(narrative="x")
        shown = await visitor.follow_up(receipt_code(page.text), action="receipt")
        assert shown.status_code == 503
        assert "not ready yet" in shown.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"receipt_code": "0000 0000 0000 0000"}, 404),
        ({"receipt_code": "K7QX-M2PA-9RTD-4HWZ-B6NC"}, 404),
        ({"receipt_code": "1234"}, 422),
        ({"receipt_code": ""}, 422),
        ({"code": "0000 0000 0000 0000"}, 422),
        ({"receipt_code": 1234567812345678}, 422),
    ],
    ids=["unknown", "unknown old form", "short", "empty", "wrong field", "a number"],
)
async def test_bad_requests_are_refused_with_a_4xx(
    client: httpx.AsyncClient, body: dict[str, object], status: int
) -> None:
    assert (await client.post(URL, json=body)).status_code == status


async def test_a_wrong_code_on_the_page_gets_the_code_page_again(client: httpx.AsyncClient) -> None:
    shown = await Visitor(client).follow_up("0000 0000 0000 0000", action="receipt")
    assert shown.status_code == 404
    assert "We do not know this code" in shown.text


def test_intake_hands_out_no_receipt_without_a_witness_even_unconfigured() -> None:
    receipts = make_receipts()
    check(receipts.genuine, None, [])
    with pytest.raises(ReceiptNotReady):
        check(receipts.forgeries["no witness"], None, [])
    check(receipts.genuine, receipts.log_key, [receipts.witness_key])
    with pytest.raises(ReceiptNotReady):
        check(receipts.forgeries["tampered proof"], receipts.log_key, [receipts.witness_key])
