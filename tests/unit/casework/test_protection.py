"""A case from claim to close through the API: interim measures, referrals behind the consent
gate, a decision with the child's views and recommendations, supervisor approval to close."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services.casework import dossier
from services.casework.db import Decision, Measure
from shared.auth import TokenIssuer
from shared.events.contracts import (
    CaseAccessed,
    DecisionRecorded,
    EventData,
    InterimMeasuresTaken,
    MessageToChild,
    ReferralChanged,
)
from shared.runtime import Runtime
from tests.unit.casework.support import Desk, bearer, emitted


async def test_a_case_from_claim_to_close(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    assert (await desk.post("/assignment", {"version": 1})).status_code == 200
    await desk.step("acknowledge", None)
    made = await desk.post("/measures", {"what": "moved to a relative's home tonight"})
    assert made.status_code == 201
    referral = await desk.post("/referrals", {"service": "social", "consent": True})
    assert referral.json()["status"] == "requested"
    rid = referral.json()["id"]
    for status in ("accepted", "done"):
        moved = await desk.post(f"/referrals/{rid}", {"status": status})
        assert moved.json()["status"] == status
    for action in ("review", "declare_admissible", "transmit", "examine"):
        await desk.step(action)
    decision = {
        "findings": "the school failed to act on two reports",
        "child_views": "she wants to stay at her school",
        "views_weighed": "recommendations keep her at the school with a safety plan",
        "recommendations": [
            {"duty_bearer": "School board", "text": "train staff", "due_in_days": 90}
        ],
        "version": await desk.version(),
    }
    assert (await desk.post("/decision", decision)).status_code == 201
    await desk.step("follow_up", None)
    asked = await desk.post("/approvals", {"kind": "close", "reason": "recommendations met"})
    assert asked.status_code == 201
    approval = f"/approvals/{asked.json()['id']}"
    verdict = {"approve": True, "reason": "agreed", "version": await desk.version()}
    assert (await desk.post(approval, verdict)).status_code == 403  # not a supervisor
    assert (await desk.post(approval, verdict, who="sam")).json()["status"] == "approved"
    assert (await client.get(desk.case, headers=desk.sam)).json()["step"] == "closed"
    assert len(await emitted(runtime, InterimMeasuresTaken)) == 1
    assert [e.status for e in await emitted(runtime, ReferralChanged)] == [
        "requested",
        "accepted",
        "done",
    ]
    [recorded] = await emitted(runtime, DecisionRecorded)
    assert recorded.recommendations == 1
    async with runtime.sessions() as session:
        decided = (await session.exec(select(Decision))).one()
        views = await runtime.fields.open(
            session, recorded.complaint_id, "views_weighed", decided.views_weighed
        )
        assert (await session.exec(select(Measure))).one().taken_by == "ana"
    assert views == decision["views_weighed"]


async def test_a_referral_without_consent_waits_for_a_supervisors_override(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    await desk.post("/assignment", {"version": 1})
    blocked = await desk.post("/referrals", {"service": "police", "consent": False})
    assert blocked.json()["status"] == "blocked"
    rid = blocked.json()["id"]
    assert (await desk.post(f"/referrals/{rid}", {"status": "accepted"})).status_code == 409
    assert await emitted(runtime, ReferralChanged) == []
    [pending] = (await client.get("/api/v1/approvals", headers=desk.sam)).json()
    assert pending["kind"] == "consent_override"
    refused = await client.get("/api/v1/approvals", headers=desk.ana)
    assert refused.status_code == 403
    verdict = {"approve": True, "reason": "imminent danger", "version": await desk.version()}
    answer = await desk.post(f"/approvals/{pending['approval_id']}", verdict, who="sam")
    assert answer.json()["status"] == "approved"
    [changed] = await emitted(runtime, ReferralChanged)
    assert (changed.status, changed.consent) == ("requested", False)
    again = await desk.post(f"/approvals/{pending['approval_id']}", verdict, who="sam")
    assert again.status_code == 409


async def test_a_rejected_closing_leaves_the_case_where_it_was(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    await desk.post("/assignment", {"version": 1})
    early = await desk.post("/approvals", {"kind": "close", "reason": "done"})
    assert early.status_code == 409  # not at a step a case closes from
    await desk.step("acknowledge", None)
    await desk.step("review")
    asked = await desk.post("/approvals", {"kind": "declare_inadmissible", "reason": "out of time"})
    verdict = {"approve": False, "reason": "within time", "version": await desk.version()}
    rejected = await desk.post(f"/approvals/{asked.json()['id']}", verdict, who="sam")
    assert rejected.json()["status"] == "rejected"
    assert (await client.get(desk.case, headers=desk.sam)).json()["step"] == "admissibility_review"


async def test_flagging_manipulation_asks_to_hear_the_child_directly(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    await desk.post("/assignment", {"version": 1})
    answer = await desk.post("/manipulation", {"reason": "the adult answers for the child"})
    assert answer.status_code == 201
    [asked] = await emitted(runtime, MessageToChild)
    assert asked.asks_for_information


BAD = [
    ("/measures", {"what": ""}, 422),
    ("/referrals", {"service": "army", "consent": True}, 422),
    ("/referrals", {"service": "police"}, 422),
    (f"/referrals/{uuid.uuid4()}", {"status": "done"}, 404),
    (f"/approvals/{uuid.uuid4()}", {"approve": True, "reason": "x", "version": 2}, 404),
    ("/approvals", {"kind": "reopen", "reason": "x"}, 422),
    ("/decision", {"findings": "x", "child_views": "y", "version": 2}, 422),
    ("/decision", {"findings": "x", "child_views": "y", "views_weighed": "z", "version": 2}, 409),
]


@pytest.mark.parametrize(("path", "body", "status"), BAD)
async def test_bad_requests_are_clear_4xx_and_change_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    case_id: str,
    path: str,
    body: dict[str, Any],
    status: int,
) -> None:
    desk = Desk(client, issuer, case_id)
    await desk.post("/assignment", {"version": 1})
    before = len(await emitted(runtime, EventData))
    answer = await desk.post(path, body, who="sam")
    assert answer.status_code == status, answer.text
    assert len(await emitted(runtime, EventData)) == before
    assert await desk.version() == 2


async def test_an_ended_case_exports_a_signed_dossier_as_json_and_pdf(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    early = await client.get(f"{desk.case}/dossier.json", headers=desk.sam)
    assert early.status_code == 409  # not ended yet
    await desk.post("/assignment", {"version": 1})
    await desk.step("withdraw", "the child asked to stop")
    reopened = {"action": "reopen", "version": await desk.version(), "reason": "new facts"}
    assert (await desk.post("/steps", reopened, who="sam")).status_code == 200
    await desk.step("withdraw", "the child asked again")
    answer = await client.get(f"{desk.case}/dossier.json", headers=desk.sam)
    assert answer.status_code == 200
    document = answer.json()
    key = runtime.keyring.verify_key("casework")
    assert dossier.verify(document, key)
    assert [e["action"] for e in document["chronology"]][-1] == "withdraw"
    assert "the child asked again" in [e["reason"] for e in document["chronology"]]
    assert not dossier.verify({**document, "case_id": str(uuid.uuid4())}, key)
    pdf = await client.get(f"{desk.case}/dossier.pdf", headers=desk.sam)
    assert pdf.content.startswith(b"%PDF")
    signature = base64.b64decode(pdf.headers["heard-signature"])
    key.verify(signature, pdf.content)
    accessed = await emitted(runtime, CaseAccessed)
    assert [a.reason for a in accessed] == ["dossier export", "dossier export"]
    other = bearer(issuer, "bob", "caseworker")
    assert (await client.get(f"{desk.case}/dossier.json", headers=other)).status_code == 403
