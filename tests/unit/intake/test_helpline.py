"""The helpline console: only operators; a complaint call becomes a `phone` complaint with
the operator's id and a code to read out; other calls are counted and open no case."""

from __future__ import annotations

import httpx
import pytest

from services.intake.db import CallRecord, Complaint
from shared.auth import TokenIssuer
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime
from tests.unit.intake.portal_client import hidden, receipt_code
from tests.unit.intake.support import outbox_events, rows


def _staff(issuer: TokenIssuer, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue('olga', set(roles))}"}


async def _fields(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    page = (await client.get("/console/calls", headers=headers)).text
    return {"csrf": hidden(page, "csrf"), "form_token": hidden(page, "form_token")}


@pytest.mark.parametrize(("roles", "status"), [((), 401), (("caseworker",), 403)])
async def test_only_operators_may_record_calls(
    client: httpx.AsyncClient,
    keyring: FileKeyring,
    issuer: TokenIssuer,
    roles: tuple[str, ...],
    status: int,
) -> None:
    headers = _staff(issuer, *roles) if roles else {}
    assert (await client.get("/console/calls", headers=headers)).status_code == status
    assert (await client.post("/console/calls", headers=headers, data={})).status_code == status


async def test_a_call_about_a_child_is_a_phone_complaint_with_a_code(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring, issuer: TokenIssuer
) -> None:
    headers = _staff(issuer, "operator")
    fields = await _fields(client, headers)
    answer = await client.post(
        "/console/calls",
        headers=headers,
        data={
            **fields,
            "call_type": "about_a_child",
            "language": "ar",
            "narrative": "a neighbour's child is beaten",
            "relationship": "neighbour",
            "consent": "no",
            "reason_without_consent": "the child is four",
        },
    )
    assert answer.status_code == 200
    code = receipt_code(answer.text)
    (event,) = await outbox_events(runtime, keyring)
    assert (event.channel, event.operator_id, event.language) == ("phone", "olga", "ar")
    assert event.submitted_by == "on_behalf"
    # One receipt code works across channels: the child opens the web follow-up with it.
    lookup = await client.post("/api/v1/receipts/status", json={"receipt_code": code})
    assert lookup.json()["status"] == "received"


async def test_an_emergency_call_is_marked_in_danger(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring, issuer: TokenIssuer
) -> None:
    headers = _staff(issuer, "operator")
    data = {**(await _fields(client, headers)), "call_type": "emergency", "narrative": "now"}
    await client.post("/console/calls", headers=headers, data=data)
    (event,) = await outbox_events(runtime, keyring)
    assert event.in_danger_now is True


@pytest.mark.parametrize("call_type", ["silent", "hang_up", "abusive", "information_only"])
async def test_other_calls_are_counted_without_a_case(
    client: httpx.AsyncClient,
    runtime: Runtime,
    keyring: FileKeyring,
    issuer: TokenIssuer,
    call_type: str,
) -> None:
    headers = _staff(issuer, "operator")
    data = {**(await _fields(client, headers)), "call_type": call_type}
    answer = await client.post("/console/calls", headers=headers, data=data)
    assert "No case was opened" in answer.text
    assert await rows(runtime, Complaint) == []
    assert [r.call_type for r in await rows(runtime, CallRecord)] == [call_type]
    counts = await client.get("/console/calls/counts", headers=_staff(issuer, "supervisor"))
    assert counts.json() == {call_type: 1}


@pytest.mark.parametrize("call_type", ["", "prank", "<script>"])
async def test_an_unknown_call_type_is_refused_and_nothing_stored(
    client: httpx.AsyncClient,
    runtime: Runtime,
    keyring: FileKeyring,
    issuer: TokenIssuer,
    call_type: str,
) -> None:
    headers = _staff(issuer, "operator")
    data = {**(await _fields(client, headers)), "call_type": call_type, "narrative": "x"}
    answer = await client.post("/console/calls", headers=headers, data=data)
    assert answer.status_code == 400
    assert "<script>" not in answer.text
    assert await rows(runtime, Complaint) == []
    assert await rows(runtime, CallRecord) == []
