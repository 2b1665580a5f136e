"""Abuse without CAPTCHAs: the form's optional proof of work, the stricter treatment of
work-less submissions under a flood, and the administrators' blocklist (keyed hashes and
recorded reasons, never an address)."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from services.intake.app import create_app
from services.intake.db import BlockedClient
from services.intake.pow import FloodGate, ProofOfWork, leading_zero_bits, solve
from services.intake.settings import IntakeSettings
from shared.auth import TokenIssuer
from shared.crypto.at_rest import LookupHasher
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.unit.intake.portal_client import Visitor
from tests.unit.intake.support import rows

ADMIN_URL = "/api/v1/admin/blocklist"
BODY = {"channel": "web", "language": "en", "narrative": "x", "submitted_by": "child"}


@pytest.fixture
def work(keyring: FileKeyring) -> ProofOfWork:
    return ProofOfWork(LookupHasher(keyring, "intake"), bits=8, max_age=60)


def test_work_is_checked_against_the_token_the_time_and_the_difficulty(work: ProofOfWork) -> None:
    challenge = work.challenge("token-a")
    nonce = solve(challenge, 8)
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    assert leading_zero_bits(digest) >= 8
    assert work.done("token-a", challenge, nonce)
    assert not work.done("token-b", challenge, nonce)  # another form's token
    forged = f"{int(challenge.split('.')[0]) + 1}.{challenge.split('.')[1]}"
    assert not work.done("token-a", forged, nonce)  # another time
    for bad in ("", "x", "1.2", "9" * 40):
        assert not work.done("token-a", bad, nonce)
    assert not work.done("token-a", challenge, "-1")


def test_old_work_is_refused(keyring: FileKeyring) -> None:
    now = [1000.0]
    work = ProofOfWork(LookupHasher(keyring, "intake"), 4, 60, lambda: now[0])
    challenge = work.challenge("t")
    nonce = solve(challenge, 4)
    now[0] += 61
    assert not work.done("t", challenge, nonce)


def test_the_flood_gate_spends_a_budget_that_refills() -> None:
    now = [0.0]
    gate = FloodGate(rate=2.0, burst=3, clock=lambda: now[0])
    assert [gate.admit() for _ in range(4)] == [True, True, True, False]
    now[0] += 1.0
    assert [gate.admit() for _ in range(3)] == [True, True, False]


async def test_without_javascript_the_form_works_under_a_stricter_limit(
    settings: IntakeSettings,
) -> None:
    limited = settings.model_copy(update={"no_work_submission_limit": 2, "work_bits": 6})
    async with app_client(create_app(limited)) as client:
        no_js = Visitor(client, javascript=False)
        plain = [(await no_js.submit(narrative=f"n{i}")).status_code for i in range(3)]
        with_js = [(await Visitor(client).submit(narrative=f"w{i}")).status_code for i in range(3)]
    assert plain == [200, 200, 429]
    assert with_js == [200, 200, 200]


async def test_a_flood_without_work_is_refused_while_work_gets_through(
    settings: IntakeSettings,
) -> None:
    flooded = settings.model_copy(
        update={"no_work_flood_rate": 0.001, "no_work_flood_burst": 2, "work_bits": 6}
    )
    app = create_app(flooded)
    async with app_client(app) as client:
        statuses = []
        for i in range(4):  # four addresses, none over its own limit: only the budget binds
            transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{i}", 1))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
                statuses.append(
                    (await Visitor(other, javascript=False).submit(narrative="x")).status_code
                )
        child = await Visitor(client).submit(narrative="I did the work")
    assert statuses == [200, 200, 429, 429]
    assert child.status_code == 200


async def _admin(
    client: httpx.AsyncClient, issuer: TokenIssuer, role: str = "administrator"
) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue('ada', {role})}"}


async def test_a_blocked_client_is_refused_and_only_its_keyed_hash_is_kept(
    client: httpx.AsyncClient, issuer: TokenIssuer, runtime: Runtime
) -> None:
    headers = await _admin(client, issuer)
    answer = await client.post(
        ADMIN_URL,
        json={"address": "127.0.0.1", "reason": "400 spam posts", "days": 2},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    (row,) = await rows(runtime, BlockedClient)
    assert (row.reason, row.blocked_by) == ("400 spam posts", "ada")
    assert "127.0.0.1" not in row.model_dump_json()
    assert (await client.post("/api/v1/complaints", json=BODY)).status_code == 403
    page = await Visitor(client).submit(narrative="x")
    assert page.status_code == 403
    assert "child helpline" in page.text
    listed = (await client.get(ADMIN_URL, headers=headers)).json()
    assert [e["reason"] for e in listed] == ["400 spam posts"]
    lifted = await client.delete(f"{ADMIN_URL}/{row.client_hash}", headers=headers)
    assert lifted.status_code == 204
    assert (await client.post("/api/v1/complaints", json=BODY)).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"address": "not-an-address", "reason": "spam"},
        {"address": "127.0.0.1", "reason": ""},
        {"address": "127.0.0.1", "reason": "spam", "days": 0},
        {"address": "127.0.0.1", "reason": "spam", "days": 9999},
        {"address": "127.0.0.1", "reason": "x" * 301},
        {"address": "127.0.0.1", "reason": "spam", "extra": 1},
    ],
    ids=["address", "empty reason", "zero days", "too many days", "long reason", "unknown field"],
)
async def test_bad_blocklist_requests_get_a_422(
    client: httpx.AsyncClient, issuer: TokenIssuer, body: dict[str, object]
) -> None:
    answer = await client.post(ADMIN_URL, json=body, headers=await _admin(client, issuer))
    assert answer.status_code == 422


async def test_only_administrators_manage_the_blocklist(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    body = {"address": "127.0.0.1", "reason": "spam"}
    assert (await client.post(ADMIN_URL, json=body)).status_code == 401
    caseworker = await _admin(client, issuer, "caseworker")
    assert (await client.post(ADMIN_URL, json=body, headers=caseworker)).status_code == 403
    admin = await _admin(client, issuer)
    assert (await client.delete(f"{ADMIN_URL}/{'0' * 64}", headers=admin)).status_code == 404
    assert (await client.delete(f"{ADMIN_URL}/nothex", headers=admin)).status_code == 422
