"""Submitting a complaint: 201 only once stored, the event in the same transaction, and a
clear 4xx (never a 500, never an echo) for anything wrong a client can send."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.intake.app import create_app
from services.intake.db import Complaint, ComplaintStatus, ReceiptCode
from services.intake.settings import IntakeSettings
from services.intake.store import opened_complaint
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.events import MARKER
from tests.unit.intake.support import MINIMAL, complete, outbox_events, rows

URL = "/api/v1/complaints"
STATUS_URL = "/api/v1/receipts/status"
JSON = {"content-type": "application/json"}
CODE = re.compile(r"[0-9]{4}( [0-9]{4}){3}")


async def test_the_pipeline_body_is_received(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=MINIMAL)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer) == {"complaint_id", "receipt_code", "status", "received_at"}
    assert uuid.UUID(answer["complaint_id"]).version == 7
    assert CODE.fullmatch(answer["receipt_code"])
    assert answer["status"] == "received"
    assert response.headers["cache-control"] == "no-store"


async def test_one_submission_is_one_transaction_of_rows_and_event(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring
) -> None:
    answer = (await client.post(URL, json=complete())).json()
    complaint_id = uuid.UUID(answer["complaint_id"])
    (complaint,) = await rows(runtime, Complaint)
    (receipt,) = await rows(runtime, ReceiptCode)
    (status,) = await rows(runtime, ComplaintStatus)
    (event,) = await outbox_events(runtime, keyring)
    assert complaint.complaint_id == receipt.complaint_id == status.complaint_id == complaint_id
    assert (status.status, status.case_id) == ("received", None)
    assert event.complaint_id == complaint_id
    assert event.submitted_at == complaint.submitted_at == status.received_at
    assert event.submitted_at == datetime.fromisoformat(answer["received_at"]).astimezone(UTC)
    (outbox,) = await rows(runtime, OutboxMessage)
    assert outbox.key == str(complaint_id).encode()


async def test_the_event_carries_the_submission_as_sent_but_stripped(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring
) -> None:
    await client.post(URL, json=complete())
    (event,) = await outbox_events(runtime, keyring)
    (complaint,) = await rows(runtime, Complaint)
    async with runtime.sessions() as session:
        stored = await opened_complaint(session, runtime.fields, complaint)
    assert event.narrative == stored["narrative"] == f"Mon voisin me frappe {MARKER}"
    assert (event.channel, event.language, event.age_band, event.gender) == (
        "phone",
        "fr",
        "8_11",
        "girl",
    )
    assert event.contact is not None
    assert event.contact.email == stored["contact_email"]
    assert event.on_behalf is not None
    assert event.on_behalf.relationship == "mother"
    assert (stored["on_behalf_relationship"], complaint.child_consents) == ("mother", True)


async def test_blank_optional_text_counts_as_absent(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring
) -> None:
    body = {**MINIMAL, "region": "  ", "contact": {"name": "", "phone": " 0800 123 "}}
    assert (await client.post(URL, json=body)).status_code == 201
    (event,) = await outbox_events(runtime, keyring)
    assert event.region is None
    assert event.contact is not None
    assert (event.contact.name, event.contact.phone) == (None, "0800 123")


async def test_a_narrative_at_the_limit_fits_even_fully_escaped(
    client: httpx.AsyncClient,
) -> None:
    # json.dumps escapes each CJK character as \uXXXX: six bytes for one character.
    body = json.dumps({**MINIMAL, "narrative": "界" * 20_000})
    response = await client.post(URL, content=body, headers=JSON)
    assert response.status_code == 201


def _without(field: str) -> dict[str, Any]:
    return {k: v for k, v in MINIMAL.items() if k != field}


def _contact(**fields: Any) -> dict[str, Any]:
    return {**MINIMAL, "contact": fields}


BAD_BODIES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("missing narrative", _without("narrative"), ["narrative"]),
    ("blank narrative", {**MINIMAL, "narrative": " \n\t "}, ["narrative"]),
    ("narrative over limit", {**MINIMAL, "narrative": "a" * 20_001}, ["narrative"]),
    ("narrative not text", {**MINIMAL, "narrative": 42}, ["narrative"]),
    ("NUL in narrative", {**MINIMAL, "narrative": f"{MARKER}\x00"}, ["narrative"]),
    ("escape in narrative", {**MINIMAL, "narrative": f"{MARKER}\x1b[31m"}, ["narrative"]),
    ("bell in region", {**MINIMAL, "region": "North\x07"}, ["region"]),
    ("lone surrogate", {**MINIMAL, "narrative": f"{MARKER}\ud800"}, ["narrative"]),
    ("missing channel", _without("channel"), ["channel"]),
    ("unknown channel", {**MINIMAL, "channel": "pigeon"}, ["channel"]),
    ("unknown language", {**MINIMAL, "language": "de"}, ["language"]),
    ("unknown age band", {**MINIMAL, "age_band": "12-14"}, ["age_band"]),
    ("unknown gender", {**MINIMAL, "gender": MARKER}, ["gender"]),
    ("unknown submitter", {**MINIMAL, "submitted_by": "teacher"}, ["submitted_by"]),
    ("flag as text", {**MINIMAL, "anonymous": "yes"}, ["anonymous"]),
    ("flag as number", {**MINIMAL, "disability": 1}, ["disability"]),
    ("region too long", {**MINIMAL, "region": "r" * 101}, ["region"]),
    ("unknown field", {**MINIMAL, "narative": MARKER}, ["narative"]),
    ("contact not an object", {**MINIMAL, "contact": MARKER}, ["contact"]),
    ("unknown contact field", _contact(emial=MARKER), ["contact", "emial"]),
    ("anonymous with a name", _contact(name=f"Name {MARKER}"), ["contact"]),
    ("on behalf missing", {**MINIMAL, "submitted_by": "on_behalf"}, ["on_behalf"]),
    (
        "on behalf of oneself",
        {**MINIMAL, "on_behalf": {"relationship": "me", "child_consents": True}},
        ["on_behalf"],
    ),
    (
        "on behalf without a relationship",
        complete(on_behalf={"relationship": " ", "child_consents": True}),
        ["on_behalf", "relationship"],
    ),
    (
        "without consent and without a reason",
        complete(on_behalf={"relationship": "teacher", "child_consents": False}),
        ["on_behalf"],
    ),
    ("not an object", [MINIMAL], []),  # type: ignore[list-item]
]


@pytest.mark.parametrize(
    ("body", "fields"), [(b, f) for _, b, f in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES]
)
async def test_bad_input_gets_422_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient, runtime: Runtime, body: Any, fields: list[str]
) -> None:
    # Sent escaped, as a browser would send a lone surrogate.
    response = await client.post(URL, content=json.dumps(body), headers=JSON)
    assert response.status_code == 422
    locations = [e["loc"] for e in response.json()["detail"]]
    assert ["body", *fields] in locations
    assert MARKER not in response.text
    assert await rows(runtime, OutboxMessage) == []
    assert await rows(runtime, Complaint) == []


async def test_a_reason_makes_acting_without_consent_acceptable(
    client: httpx.AsyncClient,
) -> None:
    on_behalf = {
        "relationship": "teacher",
        "child_consents": False,
        "reason_without_consent": "the child is too young to consent",
    }
    assert (await client.post(URL, json=complete(on_behalf=on_behalf))).status_code == 201


@pytest.mark.parametrize("content", [b"{nope", b"", b'{"narrative": "x"', b"[" * 100_000], ids=repr)
async def test_malformed_json_is_refused_without_a_500(
    client: httpx.AsyncClient, runtime: Runtime, content: bytes
) -> None:
    response = await client.post(URL, content=content, headers=JSON)
    assert response.status_code in {400, 422}
    assert await rows(runtime, Complaint) == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_gets_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(URL, content=json.dumps(MINIMAL), headers=headers)
    assert response.status_code == 415


async def test_a_huge_body_gets_413(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post(URL, json={**MINIMAL, "narrative": "a" * 300_000})
    assert response.status_code == 413
    assert await rows(runtime, Complaint) == []


async def test_a_database_outage_gets_503_and_nothing_claims_success(
    settings: IntakeSettings,
) -> None:
    # A PostgreSQL server that is down: the connection is refused at once.
    down = settings.model_copy(update={"database_url": "postgresql://heard@127.0.0.1:1/intake"})
    app: FastAPI = create_app(down)
    async with app_client(app) as client:
        submitted = await client.post(URL, json=MINIMAL)
        looked_up = await client.post(STATUS_URL, json={"receipt_code": "0" * 20})
    assert [submitted.status_code, looked_up.status_code] == [503, 503]
    assert submitted.headers["retry-after"]
    assert "receipt_code" not in submitted.text
