"""Every role x every endpoint x own / unassigned / other's case: a success that this table
does not expect fails the test, and so does a refusal of one it does."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from services.casework.db import Case, Recommendation
from shared.auth import ROLES, TokenIssuer
from shared.clock import utcnow
from shared.events.codec import EventCodec
from shared.runtime import Runtime
from tests.support.intake_events import as_intake, submitted
from tests.unit.casework.support import deliver, deliver_record, triaged

KINDS = {"own": "ana", "queue": None, "other": "bob"}
# Endpoints that need the case at a later step, or something on it, name what to prepare; the
# preparation is done by a supervisor (who reaches every case) before the role under test acts.
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "summary": ("GET", "", None),
    "timeline": ("GET", "/timeline", None),
    "words": ("GET", "/words?reason=review", None),
    "identity": ("GET", "/identity?reason=review", None),
    "step": ("POST", "/steps", {"action": "acknowledge", "version": 1}),
    "claim": ("POST", "/assignment", {"version": 1}),
    "assign": ("POST", "/assignment", {"version": 1, "to": "ana"}),
    "message": ("POST", "/messages", {"body": "hello"}),
    "measure": ("POST", "/measures", {"what": "safety plan agreed with the school"}),
    "refer": ("POST", "/referrals", {"service": "social", "consent": True}),
    "flag": ("POST", "/manipulation", {"reason": "the adult's account differs"}),
    "referral_move": ("POST", "/referrals/{referral}", {"status": "accepted"}),
    "approval_ask": ("POST", "/approvals", {"kind": "close", "reason": "all done"}),
    "approval_decide": (
        "POST",
        "/approvals/{approval}",
        {"approve": False, "reason": "not yet", "version": 1},
    ),
    "decision": (
        "POST",
        "/decision",
        {"findings": "f", "child_views": "v", "views_weighed": "w", "version": 1},
    ),
    "recommendation": ("POST", "/recommendations/{recommendation}", {"status": "implemented"}),
    "dossier": ("GET", "/dossier.json", None),
    "dossier_pdf": ("GET", "/dossier.pdf", None),
}
# endpoint -> the step the case must be at first (all others: received, as opened)
AT_STEP = {
    "approval_ask": "follow_up",
    "approval_decide": "follow_up",
    "decision": "examination",
    "recommendation": "follow_up",
    "dossier": "closed",
    "dossier_pdf": "closed",
}
EVERY = frozenset(KINDS)
# role -> endpoint -> kinds of case on which it succeeds (written out, not derived).
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "operator": {"summary": frozenset({"queue"}), "timeline": frozenset({"queue"})},
    "caseworker": {
        "summary": frozenset({"own", "queue"}),
        "timeline": frozenset({"own", "queue"}),
        "words": frozenset({"own"}),
        "identity": frozenset({"own"}),
        "step": frozenset({"own"}),
        "claim": frozenset({"queue"}),
        "assign": frozenset({"queue"}),
        "message": frozenset({"own"}),
        "measure": frozenset({"own"}),
        "refer": frozenset({"own"}),
        "flag": frozenset({"own"}),
        "referral_move": frozenset({"own"}),
        "approval_ask": frozenset({"own"}),
        "decision": frozenset({"own"}),
        "recommendation": frozenset({"own"}),
        "dossier": frozenset({"own"}),
        "dossier_pdf": frozenset({"own"}),
    },
    "supervisor": dict.fromkeys(ENDPOINTS, EVERY),
    "auditor": {
        "summary": EVERY,
        "timeline": EVERY,
        "words": EVERY,
        "dossier": EVERY,  # a dossier is the child's words: the auditor gives the reason
        "dossier_pdf": EVERY,
    },
    "administrator": {},
}


async def _case(runtime: Runtime, intake: EventCodec, triage: EventCodec, owner: str | None) -> str:
    sub = submitted()
    assert await deliver_record(runtime, as_intake(intake, sub))
    assert await deliver(runtime, triage, triaged(complaint_id=sub.complaint_id))
    async with runtime.sessions() as session:
        await session.exec(
            update(Case).where(col(Case.complaint_id) == sub.complaint_id).values(assignee=owner)
        )
        await session.commit()
        query = select(Case.case_id).where(col(Case.complaint_id) == sub.complaint_id)
        return str((await session.exec(query)).one())


async def _prepared(
    client: httpx.AsyncClient, runtime: Runtime, sam: dict[str, str], case_id: str, name: str
) -> dict[str, str]:
    """Bring the case where `name` can act, as a supervisor; the ids its path needs."""
    base, ids = f"/api/v1/cases/{case_id}", {}
    if name in AT_STEP:
        async with runtime.sessions() as session:
            step = col(Case.case_id) == uuid.UUID(case_id)
            await session.exec(update(Case).where(step).values(status=AT_STEP[name]))
            await session.commit()
    if name == "referral_move":
        asked = await client.post(f"{base}/referrals", json=ENDPOINTS["refer"][2], headers=sam)
        ids["referral"] = asked.json()["id"]
    if name == "approval_decide":
        body = ENDPOINTS["approval_ask"][2]
        ids["approval"] = (await client.post(f"{base}/approvals", json=body, headers=sam)).json()[
            "id"
        ]
    if name == "recommendation":
        async with runtime.sessions() as session:
            session.add(
                Recommendation(
                    recommendation_id=uuid.uuid4(),
                    case_id=uuid.UUID(case_id),
                    decision_id=uuid.uuid4(),
                    duty_bearer="School",
                    text=b"sealed elsewhere",
                    due_at=utcnow(),
                    status="open",
                )
            )
            await session.commit()
            query = select(Recommendation.recommendation_id).where(
                col(Recommendation.case_id) == uuid.UUID(case_id)
            )
            ids["recommendation"] = str((await session.exec(query)).one())
    return ids


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_every_endpoint_for_every_kind_of_case(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    intake_codec: EventCodec,
    triage_codec: EventCodec,
    role: str,
) -> None:
    token = {"Authorization": f"Bearer {issuer.issue('ana', {role})}"}
    sam = {"Authorization": f"Bearer {issuer.issue('sam', {'supervisor'})}"}
    unexpected = []
    for name, (method, suffix, body) in ENDPOINTS.items():
        for kind, owner in KINDS.items():
            case_id = await _case(runtime, intake_codec, triage_codec, owner)
            ids = await _prepared(client, runtime, sam, case_id, name)
            url = f"/api/v1/cases/{case_id}{suffix.format(**ids)}"
            answer = await client.request(method, url, json=body, headers=token)
            expected = kind in ALLOWED[role].get(name, frozenset())
            if answer.is_success != expected or answer.status_code >= 500:
                unexpected.append((name, kind, answer.status_code))
    assert unexpected == []


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_an_unknown_case_is_404_for_every_role_that_reaches_cases(
    client: httpx.AsyncClient, issuer: TokenIssuer, role: str
) -> None:
    token = {"Authorization": f"Bearer {issuer.issue('ana', {role})}"}
    for name, (method, suffix, body) in ENDPOINTS.items():
        ids = dict.fromkeys(("referral", "approval", "recommendation"), str(uuid.uuid4()))
        url = f"/api/v1/cases/{uuid.uuid4()}{suffix.format(**ids)}"
        answer = await client.request(method, url, json=body, headers=token)
        # Approving is a supervisor's alone: other roles are refused before the case is looked up.
        refused_first = name == "approval_decide" and role != "supervisor"
        assert answer.status_code == (403 if refused_first else 404), (suffix, answer.status_code)


async def test_queues_are_for_case_workers_and_supervisors_only(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    for role in sorted(ROLES):
        token = {"Authorization": f"Bearer {issuer.issue('ana', {role})}"}
        answer = await client.get("/api/v1/queues", headers=token)
        assert answer.is_success == (role in ("caseworker", "supervisor")), role
