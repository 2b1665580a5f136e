"""Triage's staff API: the rule set in force and one complaint's decision; who may look; bad
input (malformed ids, missing, forged and under-privileged tokens)."""

from __future__ import annotations

import httpx
import pytest

from services.triage.handlers import handlers
from services.triage.model import RuleSet
from shared.auth import TokenIssuer
from shared.events.codec import EventCodec
from shared.ids import new_id
from shared.runtime import Runtime
from tests.support.consumed import handle_record
from tests.support.events import submitted


def _headers(issuer: TokenIssuer, *roles: str) -> dict[str, str]:
    token = issuer.issue("ana", set(roles))
    return {"Authorization": f"Bearer {token}"}


async def test_staff_see_the_rule_set_in_force(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    answer = await client.get("/api/v1/rules", headers=_headers(issuer, "caseworker"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"] == "default-v1"
    assert body["categories"][0] == "sexual_abuse"
    assert {"protection", "online", "rights", "general"} <= set(body["queues"])


async def test_staff_see_the_decision_made_for_a_complaint(
    client: httpx.AsyncClient,
    runtime: Runtime,
    rules: RuleSet,
    intake_codec: EventCodec,
    issuer: TokenIssuer,
) -> None:
    complaint = submitted("I am scared to go home, my brother beats me")
    record = intake_codec.encode(complaint, subject=str(complaint.complaint_id))
    assert await handle_record(runtime, handlers(rules), record, "triage")

    answer = await client.get(
        f"/api/v1/decisions/{complaint.complaint_id}", headers=_headers(issuer, "auditor")
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["category"], body["urgency"], body["priority"], body["queue"]) == (
        "violence",
        "urgent",
        2,
        "protection",
    )
    assert body["reasons"] == [
        "category violence: 1 keyword match(es)",
        "urgency urgent: words of danger or threat",
    ]


async def test_an_unknown_complaint_is_a_404_and_a_malformed_id_a_422(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    staff = _headers(issuer, "supervisor")
    missing = await client.get(f"/api/v1/decisions/{new_id()}", headers=staff)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no triage decision for that complaint"}
    malformed = await client.get("/api/v1/decisions/not-a-uuid", headers=staff)
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["path", "complaint_id"]


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Basic YW5hOmFuYQ==", 401),
        ("Bearer heard1.e30.forged", 401),
        ("Bearer not-a-token", 401),
    ],
)
async def test_callers_without_a_valid_staff_token_are_refused(
    client: httpx.AsyncClient, authorization: str | None, status: int
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = await client.get("/api/v1/rules", headers=headers)
    assert answer.status_code == status
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_with_another_key_or_lacking_the_role_is_refused(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    forged = TokenIssuer.generate().issue("mallory", {"caseworker"})
    refused = await client.get("/api/v1/rules", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    admin_only = await client.get("/api/v1/rules", headers=_headers(issuer, "administrator"))
    assert admin_only.status_code == 403
