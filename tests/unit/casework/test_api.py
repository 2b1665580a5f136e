"""Casework's queues over HTTP: order, pages, overdue flags, who may look, bad input."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import httpx
import pytest

from shared.auth import TokenIssuer
from shared.clock import utcnow
from shared.events.codec import EventCodec
from shared.runtime import Runtime
from tests.unit.casework.support import deliver, triaged


async def _open(runtime: Runtime, codec: EventCodec, **decision: object) -> str:
    event = triaged(**decision)  # type: ignore[arg-type]
    assert await deliver(runtime, codec, event)
    return str(event.complaint_id)


async def test_a_queue_lists_overdue_cases_first_then_by_priority_then_deadline(
    client: httpx.AsyncClient,
    runtime: Runtime,
    triage_codec: EventCodec,
    caseworker: dict[str, str],
) -> None:
    later = await _open(runtime, triage_codec, priority=2, respond_in=timedelta(hours=48))
    sooner = await _open(runtime, triage_codec, priority=2, respond_in=timedelta(hours=4))
    gravest = await _open(runtime, triage_codec, priority=1, respond_in=timedelta(hours=40))
    overdue = await _open(runtime, triage_codec, priority=3, respond_in=-timedelta(hours=1))
    overdue_p2 = await _open(runtime, triage_codec, priority=2, respond_in=-timedelta(minutes=5))
    await _open(runtime, triage_codec, queue="online")
    expected = [overdue_p2, overdue, gravest, sooner, later]

    answer = await client.get("/api/v1/queues/protection", headers=caseworker)
    assert answer.status_code == 200
    page = answer.json()
    assert [c["complaint_id"] for c in page["items"]] == expected
    assert [c["overdue"] for c in page["items"]] == [True, True, False, False, False]
    assert all(c["next_due"] is not None for c in page["items"])
    assert page["next_cursor"] is None
    paged = await _all_pages(client, caseworker, limit=2)
    assert paged == expected

    overview = (await client.get("/api/v1/queues", headers=caseworker)).json()["queues"]
    assert [(q["queue"], q["open"], q["overdue"]) for q in overview] == [
        ("online", 1, 0),
        ("protection", 5, 2),
    ]
    assert overview[1]["next_deadline"] == page["items"][1]["next_due"]


async def _all_pages(client: httpx.AsyncClient, staff: dict[str, str], limit: int) -> list[str]:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": limit}
    while True:
        page = (await client.get("/api/v1/queues/protection", params=params, headers=staff)).json()
        seen += [c["complaint_id"] for c in page["items"]]
        if page["next_cursor"] is None:
            return seen
        params["cursor"] = page["next_cursor"]


async def test_pages_cover_the_queue_without_repeats_or_gaps(
    client: httpx.AsyncClient,
    runtime: Runtime,
    triage_codec: EventCodec,
    caseworker: dict[str, str],
) -> None:
    now = utcnow()
    # Equal priorities and deadlines, so the later sort keys decide the order.
    opened = {await _open(runtime, triage_codec, now=now, priority=1 + n % 2) for n in range(7)}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get("/api/v1/queues/protection", params=params, headers=caseworker)
        ).json()
        seen += [c["complaint_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == opened


async def test_a_case_is_shown_to_staff(
    client: httpx.AsyncClient,
    runtime: Runtime,
    triage_codec: EventCodec,
    caseworker: dict[str, str],
) -> None:
    complaint = await _open(runtime, triage_codec)
    item = (await client.get("/api/v1/queues/protection", headers=caseworker)).json()["items"][0]
    answer = await client.get(f"/api/v1/cases/{item['case_id']}", headers=caseworker)
    assert answer.status_code == 200
    assert answer.json()["complaint_id"] == complaint
    missing = await client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=caseworker)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/queues/protection", {"limit": 0}),
        ("/api/v1/queues/protection", {"limit": 501}),
        ("/api/v1/queues/protection", {"limit": "ten"}),
        ("/api/v1/queues/protection", {"cursor": "not-a-cursor"}),
        ("/api/v1/queues/protection", {"cursor": base64.urlsafe_b64encode(b'[1, "x"]').decode()}),
        ("/api/v1/queues/protection", {"cursor": base64.urlsafe_b64encode(b"\xff\xfe").decode()}),
        ("/api/v1/queues/protection", {"cursor": "A" * 401}),
        ("/api/v1/queues/Protection!", {}),
        ("/api/v1/queues/" + "q" * 65, {}),
        ("/api/v1/cases/not-a-uuid", {}),
    ],
)
async def test_bad_input_is_a_422_naming_what_was_wrong(
    client: httpx.AsyncClient, caseworker: dict[str, str], path: str, params: dict[str, object]
) -> None:
    answer = await client.get(path, params=params, headers=caseworker)  # type: ignore[arg-type]
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]


async def test_an_unknown_queue_is_empty(
    client: httpx.AsyncClient, caseworker: dict[str, str]
) -> None:
    answer = await client.get("/api/v1/queues/nobody-uses-this", headers=caseworker)
    assert answer.json() == {"queue": "nobody-uses-this", "items": [], "next_cursor": None}


async def test_only_case_workers_and_supervisors_see_queues(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    anonymous = await client.get("/api/v1/queues/protection")
    forged = await client.get(
        "/api/v1/queues/protection", headers={"Authorization": "Bearer heard1.e30.forged"}
    )
    auditor = issuer.issue("ola", {"auditor"})
    wrong_role = await client.get("/api/v1/queues", headers={"Authorization": f"Bearer {auditor}"})
    assert (anonymous.status_code, forged.status_code, wrong_role.status_code) == (401, 401, 403)
