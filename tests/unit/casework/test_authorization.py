"""Every role x every endpoint x own / unassigned / other's case: a success that this table
does not expect fails the test, and so does a refusal of one it does."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from services.casework.db import Case
from shared.auth import ROLES, TokenIssuer
from shared.events.codec import EventCodec
from shared.runtime import Runtime
from tests.support.intake_events import as_intake, submitted
from tests.unit.casework.support import deliver, deliver_record, triaged

KINDS = {"own": "ana", "queue": None, "other": "bob"}
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
    },
    "supervisor": dict.fromkeys(ENDPOINTS, EVERY),
    "auditor": {"summary": EVERY, "timeline": EVERY, "words": EVERY},
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
    unexpected = []
    for name, (method, suffix, body) in ENDPOINTS.items():
        for kind, owner in KINDS.items():
            case_id = await _case(runtime, intake_codec, triage_codec, owner)
            url = f"/api/v1/cases/{case_id}{suffix}"
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
    for method, suffix, body in ENDPOINTS.values():
        url = f"/api/v1/cases/{uuid.uuid4()}{suffix}"
        answer = await client.request(method, url, json=body, headers=token)
        assert answer.status_code == 404, (suffix, answer.status_code)


async def test_queues_are_for_case_workers_and_supervisors_only(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    for role in sorted(ROLES):
        token = {"Authorization": f"Bearer {issuer.issue('ana', {role})}"}
        answer = await client.get("/api/v1/queues", headers=token)
        assert answer.is_success == (role in ("caseworker", "supervisor")), role
