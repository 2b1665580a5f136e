"""The console's pages over HTTP: sign-in redirect, CSP, CSRF on every form, the same
permission matrix and access logging as the API, refusals shown as 4xx pages."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from services.casework.explanations import hear_directly
from services.casework.queues import case_for_complaint
from shared.auth import TokenIssuer
from shared.events.codec import EventCodec
from shared.events.contracts import CaseAccessed, EventData, MessageToChild, ReferralChanged
from shared.events.contracts.intake import ContactDetails, OnBehalf
from shared.runtime import Runtime
from tests.support.events import MARKER
from tests.support.intake_events import as_intake, submitted
from tests.unit.casework.support import deliver, deliver_record, emitted, triaged


def signed_in(client: httpx.AsyncClient, issuer: TokenIssuer, name: str, role: str) -> None:
    client.cookies.set("heard_staff", issuer.issue(name, {role}))


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text[:300]
    return found.group(1)


async def test_without_a_staff_cookie_the_browser_is_sent_to_sign_in(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/console/")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("http://127.0.0.1:8010/signin/refresh?next=")


async def test_the_queue_lists_the_case_under_a_strict_csp(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "ana", "caseworker")
    page = await client.get("/console/")
    assert page.status_code == 200
    assert case_id[:12] in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text


async def test_a_form_without_csrf_changes_nothing(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "ana", "caseworker")
    for token in (None, "forged"):
        form = {"version": "1"} | ({"csrf": token} if token else {})
        answer = await client.post(f"/console/cases/{case_id}/claim", data=form)
        assert answer.status_code == 403
    page = await client.get(f"/console/cases/{case_id}")
    assert "<dt>Held by</dt><dd>nobody</dd>" in page.text


async def test_claiming_then_a_stale_form_shows_a_409_page(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "ana", "caseworker")
    token = await csrf(client, f"/console/cases/{case_id}")
    claimed = await client.post(
        f"/console/cases/{case_id}/claim", data={"csrf": token, "version": "1"}
    )
    assert claimed.status_code == 303
    stale = await client.post(
        f"/console/cases/{case_id}/step",
        data={"csrf": token, "version": "1", "action": "acknowledge"},
    )
    assert stale.status_code == 409
    assert "changed since you read it" in stale.text
    assert "<dt>Step</dt><dd>received</dd>" in stale.text


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("step", {"action": "fly", "version": "2"}),
        ("refer", {"service": "army"}),
        ("message", {"body": ""}),
        ("ask-approval", {"kind": "reopen", "reason": "x"}),
    ],
)
async def test_bad_form_input_is_a_clear_422(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str, path: str, form: dict[str, str]
) -> None:
    signed_in(client, issuer, "sam", "supervisor")
    token = await csrf(client, f"/console/cases/{case_id}")
    answer = await client.post(f"/console/cases/{case_id}/{path}", data={"csrf": token, **form})
    assert answer.status_code == 422


async def test_reading_what_the_child_said_on_the_page_is_logged(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "sam", "supervisor")
    hidden = await client.get(f"/console/cases/{case_id}")
    assert MARKER not in hidden.text
    refused = await client.get(f"/console/cases/{case_id}", params={"show": "words"})
    assert refused.status_code == 422
    shown = await client.get(
        f"/console/cases/{case_id}", params={"show": "words", "reason": "supervision"}
    )
    assert MARKER in shown.text
    assert '<p class="said" dir="auto">' in shown.text  # Arabic reads right to left
    [accessed] = await emitted(runtime, CaseAccessed)
    assert (accessed.accessed_by, accessed.reason) == ("sam", "supervision")
    assert len(await emitted(runtime, EventData)) >= 2


async def test_the_workload_view_is_for_supervisors(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "ana", "caseworker")
    assert (await client.get("/console/workload")).status_code == 403
    signed_in(client, issuer, "sam", "supervisor")
    page = await client.get("/console/workload")
    assert page.status_code == 200
    assert "nobody (unassigned)" in page.text


async def test_a_p1_page_is_taken_from_the_queue_page_and_stops(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    signed_in(client, issuer, "ana", "caseworker")
    page = await client.get("/console/")
    assert "Pages waiting for someone" in page.text
    found = re.search(r'action="/console/pages/([^"]+)"', page.text)
    assert found is not None
    token = await csrf(client, "/console/")
    taken = await client.post(f"/console/pages/{found.group(1)}", data={"csrf": token})
    assert taken.status_code == 303
    assert case_id in taken.headers["location"]
    assert "Pages waiting for someone" not in (await client.get("/console/")).text
    signed_in(client, issuer, "ola", "auditor")
    refused = await client.post(f"/console/pages/{found.group(1)}", data={"csrf": token})
    assert refused.status_code == 403


async def _referred(
    client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str
) -> tuple[str, str]:
    """Ana claims the case and refers it with consent, through the console's forms; the
    referral's form action and a CSRF token."""
    signed_in(client, issuer, "ana", "caseworker")
    token = await csrf(client, f"/console/cases/{case_id}")
    claim = {"csrf": token, "version": "1"}
    assert (await client.post(f"/console/cases/{case_id}/claim", data=claim)).status_code == 303
    form = {"csrf": token, "service": "social", "consent": "true"}
    assert (await client.post(f"/console/cases/{case_id}/refer", data=form)).status_code == 303
    page = (await client.get(f"/console/cases/{case_id}")).text
    found = re.search(rf'action="/console/cases/{case_id}/referrals/([^"]+)"', page)
    assert found is not None
    return f"/console/cases/{case_id}/referrals/{found.group(1)}", token


async def test_a_referral_moves_on_from_the_case_page_with_a_timeline_entry_and_an_event(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    referral, token = await _referred(client, issuer, case_id)
    for status in ("accepted", "done"):
        moved = await client.post(referral, data={"csrf": token, "status": status})
        assert moved.status_code == 303
        assert moved.headers["location"].endswith(f"?done=referral-{status}")
    page = (await client.get(f"/console/cases/{case_id}")).text
    assert "Referral to Social services (child protection): done since" in page
    assert referral not in page  # nothing moves on from done
    timeline = (await client.get(f"/api/v1/cases/{case_id}/timeline")).json()
    actions = [e["action"] for e in timeline]
    assert actions[-3:] == ["referral_requested", "referral_accepted", "referral_done"]
    changed = await emitted(runtime, ReferralChanged)
    assert [(c.status, c.changed_by) for c in changed] == [
        ("requested", "ana"),
        ("accepted", "ana"),
        ("done", "ana"),
    ]


@pytest.mark.parametrize(
    ("who", "form", "status"),
    [
        (("ana", "caseworker"), {"status": "accepted"}, 403),  # no CSRF token
        (("ana", "caseworker"), {"status": "approved", "csrf": True}, 422),
        (("ana", "caseworker"), {"status": "done", "csrf": True}, 409),  # not yet accepted
        (("bob", "caseworker"), {"status": "accepted", "csrf": True}, 403),  # not bob's case
        (("ola", "auditor"), {"status": "accepted", "csrf": True}, 403),
        (("ana", "caseworker"), {"status": "accepted", "csrf": True, "other": True}, 404),
    ],
    ids=["no-csrf", "unknown-status", "too-early", "other-workers-case", "auditor", "unknown"],
)
async def test_a_bad_referral_move_from_the_console_is_a_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    case_id: str,
    who: tuple[str, str],
    form: dict[str, object],
    status: int,
) -> None:
    referral, token = await _referred(client, issuer, case_id)
    signed_in(client, issuer, *who)
    data = {"status": str(form["status"])} | ({"csrf": token} if form.get("csrf") else {})
    target = f"/console/cases/{case_id}/referrals/{uuid.uuid4()}" if "other" in form else referral
    answer = await client.post(target, data=data)
    assert answer.status_code == status
    assert [c.status for c in await emitted(runtime, ReferralChanged)] == ["requested"]


async def _on_behalf_case(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> str:
    """A case opened for a complaint sent in Arabic by the child's grandmother, without the
    child's consent."""
    sent = submitted().model_copy(
        update={
            "language": "ar",
            "submitted_by": "on_behalf",
            "contact": ContactDetails(name="Mrs Ade", phone="+15550100", safe_to_contact=True),
            "on_behalf": OnBehalf(
                relationship="grandmother",
                child_consents=False,
                reason_without_consent="he is too frightened to tell anyone",
            ),
        }
    )
    assert await deliver_record(runtime, as_intake(intake_codec, sent))
    assert await deliver(runtime, triage_codec, triaged(complaint_id=sent.complaint_id))
    async with runtime.sessions() as session:
        case = await case_for_complaint(session, sent.complaint_id)
    assert case is not None
    return str(case.case_id)


async def test_an_on_behalf_complaint_shows_the_representative_relationship_and_consent(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    intake_codec: EventCodec,
    triage_codec: EventCodec,
) -> None:
    case_id = await _on_behalf_case(runtime, intake_codec, triage_codec)
    signed_in(client, issuer, "sam", "supervisor")
    page = await client.get(
        f"/console/cases/{case_id}", params={"show": "identity", "reason": "safety"}
    )
    assert page.status_code == 200
    for shown in (
        "<dt>Sent by</dt><dd>someone acting for the child: Mrs Ade</dd>",
        "<dt>Their relationship to the child</dt><dd>grandmother</dd>",
        "<dt>The child consents</dt><dd>no</dd>",
        "he is too frightened to tell anyone",
        "<dd>Mrs Ade, +15550100</dd>",
    ):
        assert shown in page.text, shown
    [accessed] = await emitted(runtime, CaseAccessed)
    assert (accessed.part, accessed.reason) == ("identity", "safety")


async def test_a_suspected_manipulation_is_flagged_from_the_console_and_the_child_asked(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    intake_codec: EventCodec,
    triage_codec: EventCodec,
    case_id: str,
) -> None:
    signed_in(client, issuer, "sam", "supervisor")
    own = (await client.get(f"/console/cases/{case_id}")).text
    assert "<dt>Sent by</dt><dd>the child</dd>" in own
    assert "Flag and ask to hear the child" not in own  # the child wrote it themselves
    behalf = await _on_behalf_case(runtime, intake_codec, triage_codec)
    page = (await client.get(f"/console/cases/{behalf}")).text
    assert "<dt>Sent by</dt><dd>someone acting for the child</dd>" in page
    assert "Flag and ask to hear the child" in page
    target = f"/console/cases/{behalf}/manipulation"
    assert (await client.post(target, data={"reason": "x"})).status_code == 403  # no CSRF
    token = await csrf(client, f"/console/cases/{behalf}")
    empty = await client.post(target, data={"csrf": token, "reason": ""})
    assert empty.status_code == 422
    flagged = await client.post(target, data={"csrf": token, "reason": "she answers for him"})
    assert flagged.status_code == 303
    [asked] = await emitted(runtime, MessageToChild)
    assert asked.asks_for_information
    assert asked.body == hear_directly("ar") != hear_directly("en")
    timeline = (await client.get(f"/api/v1/cases/{behalf}/timeline")).json()
    assert timeline[-1]["action"] == "manipulation_suspected"
