"""Triage's staff API: the rule set in force, one complaint's decision, the dry run; who may
look; bad input (malformed ids, missing, forged and under-privileged tokens; empty, enormous,
unknown-language and extra-field dry runs)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from services.triage.bootstrap import SERVICE as TRIAGE
from services.triage.handlers import TriageContext
from shared.auth import TokenIssuer
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.ids import new_id
from shared.runtime import Runtime
from tests.support.consumed import handle_record
from tests.support.events import MARKER, submitted

DRY_RUN = "/api/v1/triage/dry-run"


def staff_headers(issuer: TokenIssuer, *roles: str) -> dict[str, str]:
    token = issuer.issue("ana", set(roles))
    return {"Authorization": f"Bearer {token}"}


async def test_staff_see_the_rule_set_in_force(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    answer = await client.get("/api/v1/rules", headers=staff_headers(issuer, "caseworker"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"] == "2026.11-1"
    assert len(body["content_hash"]) == 64
    assert body["categories"][0] == "violence.sexual"
    assert {"emergency", "protection", "online", "institutions", "rights"} <= set(body["queues"])


async def test_staff_see_the_decision_made_for_a_complaint(
    client: httpx.AsyncClient,
    runtime: Runtime,
    context: TriageContext,
    intake_codec: EventCodec,
    issuer: TokenIssuer,
) -> None:
    complaint = submitted("my brother beats me every day")
    record = intake_codec.encode(complaint, subject=str(complaint.complaint_id))
    assert runtime.context.state is context
    assert await handle_record(runtime, TRIAGE, record)

    answer = await client.get(
        f"/api/v1/decisions/{complaint.complaint_id}", headers=staff_headers(issuer, "auditor")
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["category"], body["urgency"], body["priority"], body["queue"]) == (
        "violence.physical",
        "urgent",
        2,
        "protection",
    )
    assert set(body["rules_fired"]) == {
        "violence.hitting",
        "signal.about_another_child",
        "signal.ongoing",
    }
    assert body["reasons"][-1] == "urgency P2: category violence.physical"


async def test_a_dry_run_returns_the_full_decision_and_creates_nothing(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer
) -> None:
    answer = await client.post(
        DRY_RUN,
        headers=staff_headers(issuer, "operator"),
        json={
            "narrative": f"he is home now and he beats me {MARKER}",
            "language": "en",
            "age_band": "8_11",
            "in_danger_now": None,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["urgency"], body["urgency_name"], body["priority"], body["queue"]) == (
        "P1",
        "emergency",
        1,
        "emergency",
    )
    assert body["interim_measures"] is True
    assert body["admissibility"] == {"suggestion": "likely_admissible", "reasons": []}
    assert "signal.abuser_access" in body["rules_fired"]
    assert len(body["rule_set_hash"]) == 64
    assert MARKER not in answer.text
    async with runtime.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"narrative": "", "language": "en"}, "narrative"),
        ({"narrative": "x" * 20001, "language": "en"}, "narrative"),
        ({"narrative": "help", "language": "tlh"}, "language"),
        ({"narrative": "help"}, "language"),
        ({"narrative": "help", "language": "en", "age_band": "ancient"}, "age_band"),
        ({"narrative": "help", "language": "en", "in_danger_now": "perhaps"}, "in_danger_now"),
        ({"narrative": "help", "language": "en", "region": "r" * 101}, "region"),
        ({"narrative": "help", "language": "en", "name": "Ana"}, "name"),
        ({"narrative": 42, "language": "en"}, "narrative"),
    ],
)
async def test_bad_dry_runs_are_a_422_naming_the_field_without_echoing_it(
    client: httpx.AsyncClient, issuer: TokenIssuer, body: dict[str, object], field: str
) -> None:
    answer = await client.post(DRY_RUN, headers=staff_headers(issuer, "caseworker"), json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field


async def test_a_dry_run_that_is_not_json_or_too_large_is_refused(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    headers = staff_headers(issuer, "caseworker")
    garbage = await client.post(DRY_RUN, headers=headers, content=b"{not json")
    assert garbage.status_code == 422
    huge = await client.post(DRY_RUN, headers=headers, content=b"x" * 2_000_000)
    assert huge.status_code == 413


@pytest.mark.parametrize(
    ("narrative", "language", "suggestion"),
    [
        ("😢😢😢", "en", "review"),
        ("hello مرحبا привет 你好 hola", "zh", "review"),
        ("mi papa me pega and he is home now", "en", "likely_admissible"),
    ],
)
async def test_emoji_and_mixed_scripts_get_a_decision(
    client: httpx.AsyncClient, issuer: TokenIssuer, narrative: str, language: str, suggestion: str
) -> None:
    answer = await client.post(
        DRY_RUN,
        headers=staff_headers(issuer, "caseworker"),
        json={"narrative": narrative, "language": language},
    )
    assert answer.status_code == 200
    assert answer.json()["admissibility"]["suggestion"] == suggestion


async def test_an_unknown_complaint_is_a_404_and_a_malformed_id_a_422(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    staff = staff_headers(issuer, "supervisor")
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
    for answer in (
        await client.get("/api/v1/rules", headers=headers),
        await client.post(DRY_RUN, headers=headers, json={"narrative": "x", "language": "en"}),
    ):
        assert answer.status_code == status
        assert answer.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_with_another_key_or_lacking_the_role_is_refused(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    forged = TokenIssuer.generate().issue("mallory", {"caseworker"})
    refused = await client.get("/api/v1/rules", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    admin_only = await client.get("/api/v1/rules", headers=staff_headers(issuer, "administrator"))
    assert admin_only.status_code == 403
