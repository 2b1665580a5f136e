"""One case through the API: claim, steps with optimistic locking, what the child said under
access logging, messages to the child; and every bad request a clear 4xx that changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.casework.db import Case
from shared.auth import TokenIssuer, revoke_sessions
from shared.events.contracts import (
    CaseAccessed,
    CaseAssigned,
    CaseStepChanged,
    EventData,
    MessageToChild,
)
from shared.runtime import Runtime
from tests.support.events import MARKER
from tests.unit.casework.support import bearer, emitted, triaged


async def _claim(client: httpx.AsyncClient, case_id: str, who: dict[str, str]) -> dict[str, Any]:
    answer = await client.post(
        f"/api/v1/cases/{case_id}/assignment", json={"version": 1}, headers=who
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_case_worker_claims_acknowledges_and_the_child_is_told(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    ana = bearer(issuer, "ana", "caseworker")
    claimed = await _claim(client, case_id, ana)
    assert (claimed["assignee"], claimed["version"]) == ("ana", 2)
    assert "acknowledge" in claimed["actions"]
    answer = await client.post(
        f"/api/v1/cases/{case_id}/steps", json={"action": "acknowledge", "version": 2}, headers=ana
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["step"], answer.json()["version"]) == ("acknowledged", 3)
    assert [d["kind"] for d in answer.json()["deadlines"]] == ["admissibility"]
    changed = [e for e in await emitted(runtime, EventData) if isinstance(e, CaseStepChanged)]
    assert [(c.previous_step, c.step) for c in changed] == [("received", "acknowledged")]
    assert (
        changed[0].explanation
        == "We have received your complaint and a case worker will look at it."
    )


async def test_two_people_at_once_one_wins_the_other_gets_409_and_nothing_is_overwritten(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    sam = bearer(issuer, "sam", "supervisor")
    first = await client.post(
        f"/api/v1/cases/{case_id}/assignment", json={"version": 1, "to": "ana"}, headers=sam
    )
    second = await client.post(
        f"/api/v1/cases/{case_id}/assignment", json={"version": 1, "to": "bob"}, headers=sam
    )
    assert (first.status_code, second.status_code) == (200, 409)
    assert "changed since you read it" in second.json()["detail"]
    async with runtime.sessions() as session:
        assert (await session.get(Case, uuid.UUID(case_id))).assignee == "ana"  # type: ignore[union-attr]


async def test_claiming_and_reassigning_emit_case_assigned_with_who_by_whom_and_when(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    ana, sam = bearer(issuer, "ana", "caseworker"), bearer(issuer, "sam", "supervisor")
    await _claim(client, case_id, ana)
    moved = await client.post(
        f"/api/v1/cases/{case_id}/assignment", json={"version": 2, "to": "bob"}, headers=sam
    )
    assert moved.status_code == 200, moved.text
    stale = await client.post(
        f"/api/v1/cases/{case_id}/assignment", json={"version": 2, "to": "eve"}, headers=sam
    )
    assert stale.status_code == 409
    assigned = await emitted(runtime, CaseAssigned)
    assert [(a.assignee, a.previous_assignee, a.assigned_by) for a in assigned] == [
        ("ana", None, "ana"),
        ("bob", "ana", "sam"),
    ]
    assert all(str(a.case_id) == case_id for a in assigned)
    assert assigned[0].assigned_at <= assigned[1].assigned_at
    assert all(MARKER not in a.model_dump_json() for a in assigned)


async def test_reading_what_the_child_said_is_logged_with_who_and_why(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    sam = bearer(issuer, "sam", "supervisor")
    refused = await client.get(f"/api/v1/cases/{case_id}/words", headers=sam)
    assert refused.status_code == 422
    assert not [e for e in await emitted(runtime, EventData) if isinstance(e, CaseAccessed)]
    answer = await client.get(
        f"/api/v1/cases/{case_id}/words", params={"reason": "weekly review"}, headers=sam
    )
    assert answer.status_code == 200
    assert MARKER in answer.json()[0]["text"]
    [accessed] = [e for e in await emitted(runtime, EventData) if isinstance(e, CaseAccessed)]
    assert (accessed.accessed_by, accessed.part, accessed.reason) == (
        "sam",
        "words",
        "weekly review",
    )
    assert str(accessed.case_id) == case_id


async def test_identity_shows_contacts_to_the_assigned_worker_and_never_to_an_auditor(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    ana = bearer(issuer, "ana", "caseworker")
    await _claim(client, case_id, ana)
    shown = await client.get(f"/api/v1/cases/{case_id}/identity", headers=ana)
    assert shown.status_code == 200
    assert MARKER in shown.json()["contact"]["name"]
    auditor = bearer(issuer, "ola", "auditor")
    hidden = await client.get(
        f"/api/v1/cases/{case_id}/identity", params={"reason": "audit"}, headers=auditor
    )
    assert hidden.status_code == 403
    parts = [e.part for e in await emitted(runtime, EventData) if isinstance(e, CaseAccessed)]
    assert parts == ["identity"]


async def test_a_message_to_the_child_is_sent_as_an_event(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    ana = bearer(issuer, "ana", "caseworker")
    await _claim(client, case_id, ana)
    answer = await client.post(
        f"/api/v1/cases/{case_id}/messages",
        json={"body": "Are you safe tonight?", "asks_for_information": True},
        headers=ana,
    )
    assert answer.status_code == 201
    [sent] = [e for e in await emitted(runtime, EventData) if isinstance(e, MessageToChild)]
    assert (sent.body, sent.asks_for_information) == ("Are you safe tonight?", True)
    assert str(sent.message_id) == answer.json()["message_id"]
    timeline = await client.get(f"/api/v1/cases/{case_id}/timeline", headers=ana)
    assert [e["action"] for e in timeline.json()] == ["open", "assign", "message"]


BAD_STEPS = [
    ({"action": "decide", "version": 2, "reason": "x"}, 409, "not allowed at the case's current"),
    ({"action": "acknowledge", "version": 1}, 409, "changed since you read it"),
    ({"action": "withdraw", "version": 2}, 422, "reason"),
    ({"action": "withdraw", "version": 2, "reason": "  "}, 422, "reason"),
    ({"action": "fly", "version": 2}, 422, "action"),
    ({"action": "acknowledge"}, 422, "version"),
    ({"action": "acknowledge", "version": 0}, 422, "version"),
    ({"action": "acknowledge", "version": 2, "reason": "x" * 4001}, 422, "reason"),
]


@pytest.mark.parametrize(("body", "status", "named"), BAD_STEPS)
async def test_a_bad_step_is_a_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    case_id: str,
    body: dict[str, Any],
    status: int,
    named: str,
) -> None:
    ana = bearer(issuer, "ana", "caseworker")
    await _claim(client, case_id, ana)
    before = await emitted(runtime, EventData)
    answer = await client.post(f"/api/v1/cases/{case_id}/steps", json=body, headers=ana)
    assert answer.status_code == status
    assert named in str(answer.json()["detail"])
    after = (await client.get(f"/api/v1/cases/{case_id}", headers=ana)).json()
    assert (after["step"], after["version"]) == ("received", 2)
    assert len(await emitted(runtime, EventData)) == len(before)


async def test_a_case_worker_cannot_close_or_act_on_anothers_case(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    await _claim(client, case_id, bearer(issuer, "ana", "caseworker"))
    bob = bearer(issuer, "bob", "caseworker")
    for path, body in (
        ("steps", {"action": "acknowledge", "version": 2}),
        ("messages", {"body": "hello"}),
        ("assignment", {"version": 2}),
    ):
        answer = await client.post(f"/api/v1/cases/{case_id}/{path}", json=body, headers=bob)
        assert answer.status_code in (403, 409), path
    assert (await client.get(f"/api/v1/cases/{case_id}/words", headers=bob)).status_code == 403


async def test_an_unknown_case_is_404_and_a_malformed_id_422(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    sam = bearer(issuer, "sam", "supervisor")
    missing = await client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=sam)
    malformed = await client.get("/api/v1/cases/not-a-case", headers=sam)
    assert (missing.status_code, malformed.status_code) == (404, 422)


async def test_forged_expired_and_revoked_sessions_are_refused(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str, keyring_path: Any
) -> None:
    path = f"/api/v1/cases/{case_id}"
    forged = bearer(TokenIssuer(TokenIssuer.generate().key, issuer.kid), "sam", "supervisor")
    expired = bearer(issuer, "sam", "supervisor", ttl=timedelta(seconds=-120))
    live = bearer(issuer, "sam", "supervisor", session="sess-1")
    assert (await client.get(path, headers=live)).status_code == 200
    revoke_sessions(keyring_path.parent, {"sess-1": triaged().respond_by})
    for headers in (forged, expired, live, {"Authorization": "Bearer x.y.z"}, {}):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 401
