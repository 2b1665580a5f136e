"""Looking a complaint up by receipt code: the child's view only, one answer for unknown
codes, and a per-client limit that makes guessing hopeless."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from services.intake.db import Receipt
from services.intake.handlers import submit_complaint
from services.intake.model import SubmitComplaint
from services.intake.receipts import KEY_NAME, legacy_code
from services.intake.settings import IntakeSettings
from services.intake.throttle import TokenBucketLimiter
from shared.clock import utcnow
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime
from tests.unit.intake.conftest import LOOKUP_LIMIT
from tests.unit.intake.support import MINIMAL, case_opened, consume, intake_keys

URL = "/api/v1/receipts/status"
UNKNOWN = "0000-0000-0000-0000-0000"


async def _submit(client: httpx.AsyncClient) -> dict[str, str]:
    answer: dict[str, str] = (await client.post("/api/v1/complaints", json=MINIMAL)).json()
    return answer


@pytest.fixture
async def other_client(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A second caller, from another address, on the already running app."""
    transport = httpx.ASGITransport(app=app, client=("2001:db8:1:2::7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        yield other


async def test_a_new_complaint_reads_received(client: httpx.AsyncClient) -> None:
    submitted = await _submit(client)
    response = await client.post(URL, json={"receipt_code": submitted["receipt_code"]})
    assert response.status_code == 200
    assert response.json() == {
        "status": "received",
        "received_at": submitted["received_at"],
        "case_opened_at": None,
    }
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "spell",
    [
        str.strip,
        lambda code: code.replace(" ", ""),
        lambda code: code.replace(" ", "-"),
        lambda code: f"  {code.replace(' ', ' - ')}\n",
        lambda code: code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        lambda code: code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
    ],
    ids=["as shown", "no spaces", "dashes", "loose", "arabic-indic", "persian"],
)
async def test_codes_are_read_leniently(
    client: httpx.AsyncClient, spell: Callable[[str], str]
) -> None:
    code = (await _submit(client))["receipt_code"]
    response = await client.post(URL, json={"receipt_code": spell(code)})
    assert response.status_code == 200


async def test_an_opened_case_shows_its_date_but_not_its_id(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: IntakeSettings,
    keyring: FileKeyring,
) -> None:
    submitted = await _submit(client)
    record = case_opened(keyring, uuid.UUID(submitted["complaint_id"]))
    await consume(runtime, [record])
    answer = (await client.post(URL, json={"receipt_code": submitted["receipt_code"]})).json()
    assert answer["status"] == "case_opened"
    assert answer["case_opened_at"] is not None
    assert set(answer) == {"status", "received_at", "case_opened_at"}


async def test_an_unknown_code_gets_one_generic_404(client: httpx.AsyncClient) -> None:
    code = (await _submit(client))["receipt_code"]
    near_miss = ("1" if code[0] != "1" else "2") + code[1:]
    answers = [await client.post(URL, json={"receipt_code": c}) for c in (UNKNOWN, near_miss)]
    assert [a.status_code for a in answers] == [404, 404]
    assert (
        answers[0].json()
        == answers[1].json()
        == {"detail": "no complaint matches that receipt code"}
    )


MALFORMED: list[tuple[dict[str, object], str]] = [
    ({"receipt_code": "K7QX-M2PA"}, "receipt_code"),
    ({"receipt_code": "K7QX-M2PA-9RTD-4HWZ-B6NCX"}, "receipt_code"),
    ({"receipt_code": "K7QX-M2PA-9RTD-4HWZ-B6NU"}, "receipt_code"),
    ({"receipt_code": "K7QX_M2PA_9RTD_4HWZ_B6NC"}, "receipt_code"),
    ({"receipt_code": "\uff2b7QX-M2PA-9RTD-4HWZ-B6NC"}, "receipt_code"),
    ({"receipt_code": ""}, "receipt_code"),
    ({"receipt_code": "K7QX" * 17}, "receipt_code"),
    ({"receipt_code": 12345678901234567890}, "receipt_code"),
    ({"receipt_code": None}, "receipt_code"),
    ({}, "receipt_code"),
    ({"receipt_code": UNKNOWN, "complaint_id": "K7QX"}, "complaint_id"),
]


@pytest.mark.parametrize(("body", "field"), MALFORMED, ids=repr)
async def test_a_malformed_code_gets_422_naming_it_without_echo(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post(URL, json=body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert "K7QX" not in response.text


async def test_the_code_is_never_accepted_in_the_url(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"receipt_code": UNKNOWN})
    assert response.status_code == 405


async def test_lookups_past_the_limit_get_429_with_retry_after(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    code = (await _submit(client))["receipt_code"]
    guesses = [await client.post(URL, json={"receipt_code": UNKNOWN}) for _ in range(LOOKUP_LIMIT)]
    assert [g.status_code for g in guesses] == [404] * LOOKUP_LIMIT
    for body in ({"receipt_code": code}, {"receipt_code": "bad"}, {}):
        refused = await client.post(URL, json=body)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert code not in refused.text
    assert (await other_client.post(URL, json={"receipt_code": code})).status_code == 200


async def test_the_limit_refills_with_time(app: FastAPI, client: httpx.AsyncClient) -> None:
    now = [0.0]
    app.state.lookups = TokenBucketLimiter(
        capacity=1, window=60, max_clients=10, clock=lambda: now[0]
    )
    assert (await client.post(URL, json={"receipt_code": UNKNOWN})).status_code == 404
    refused = await client.post(URL, json={"receipt_code": UNKNOWN})
    assert refused.headers["retry-after"] == "60"
    now[0] = 60.0
    assert (await client.post(URL, json={"receipt_code": UNKNOWN})).status_code == 404


async def _legacy_receipt(runtime: Runtime, keyring: FileKeyring, age_days: int) -> str:
    """An old-form code as intake issued them before 16-digit codes, `age_days` old."""
    code = "K7QX-M2PA-9RTD-4HWZ-B6NC"
    complaint_id = uuid.UUID((await _submit_through(runtime))["complaint_id"])
    key_id, secret = "intake-receipt-code-1", keyring.secret(KEY_NAME).secret
    digest = hmac.new(secret, legacy_code(code).encode(), hashlib.sha256).hexdigest()
    issued = utcnow() - timedelta(days=age_days)
    async with runtime.sessions() as session:
        session.add(
            Receipt(code_hash=digest, key_id=key_id, complaint_id=complaint_id, issued_at=issued)
        )
        await session.commit()
    return code


async def _submit_through(runtime: Runtime) -> dict[str, str]:
    command = SubmitComplaint.model_validate(MINIMAL)
    ack = await submit_complaint(command, runtime=runtime, keys=intake_keys(runtime))
    return {"complaint_id": str(ack.complaint_id)}


@pytest.mark.parametrize(("age_days", "expected"), [(10, 200), (364, 200), (366, 404)])
async def test_old_form_codes_keep_working_until_they_expire(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring, age_days: int, expected: int
) -> None:
    code = await _legacy_receipt(runtime, keyring, age_days)
    for spelling in (code, code.lower().replace("-", " ")):
        response = await client.post(URL, json={"receipt_code": spelling})
        assert response.status_code == expected
