"""The console's forms: each POST checks the CSRF token, acts through the same functions as
the API, and answers with the case page (303 on success, the refusal as a 4xx page)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from services.casework import approvals, decisions, desk, protection
from services.casework.cases_api import runtime_of, tools_of
from services.casework.console import RESPONDERS, Who, case_page_for
from services.casework.errors import CaseworkError
from services.casework.model import ACTIONS
from services.casework.protection import DIRECTORY
from services.casework.queues import acknowledge
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.web.staff import require_csrf

router = APIRouter(prefix="/console", include_in_schema=False)
Csrf = Depends(require_csrf)


Work = Callable[[], Awaitable[object]]


async def act(
    request: Request, case_id: uuid.UUID, who: StaffPrincipal, label: str, work: Work
) -> Response:
    """Do `work`; back to the case page (303), or the page again with the refusal (4xx)."""
    try:
        await work()
    except CaseworkError as refused:
        status = refused.status_code or 400
        return await case_page_for(
            request, case_id, who, status=status, error=refused.public_detail
        )
    return RedirectResponse(f"/console/cases/{case_id}?done={label}", status_code=303)


Text = Annotated[str, Form(min_length=1, max_length=4000)]
MaybeText = Annotated[str | None, Form(max_length=4000)]
Version = Annotated[int, Form(ge=1)]


@router.post("/cases/{case_id}/step", dependencies=[Csrf])
async def step(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    action: Annotated[str, Form(max_length=32)],
    version: Version,
    reason: MaybeText = None,
) -> Response:
    """Take a procedure step."""
    if action not in ACTIONS:
        raise HTTPException(422, "action: not a step of the procedure")
    return await act(
        request,
        case_id,
        who,
        action,
        lambda: desk.step(
            runtime_of(request),
            tools_of(request),
            who,
            case_id,
            action=action,
            reason=reason,
            version=version,
        ),
    )


@router.post("/cases/{case_id}/claim", dependencies=[Csrf])
async def claim(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    version: Version,
    to: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Claim the case, or (supervisors) assign it."""
    return await act(
        request,
        case_id,
        who,
        "assigned",
        lambda: desk.assign(
            runtime_of(request), tools_of(request), who, case_id, version=version, to=to or None
        ),
    )


@router.post("/cases/{case_id}/message", dependencies=[Csrf])
async def message(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    body: Text,
    asks: Annotated[bool, Form()] = False,
) -> Response:
    """Write to the child."""
    return await act(
        request,
        case_id,
        who,
        "message",
        lambda: desk.write_to_child(
            runtime_of(request),
            tools_of(request),
            who,
            case_id,
            body=body,
            asks_for_information=asks,
        ),
    )


@router.post("/cases/{case_id}/measure", dependencies=[Csrf])
async def measure(request: Request, case_id: uuid.UUID, who: Who, what: Text) -> Response:
    """Record an interim measure."""
    return await act(
        request,
        case_id,
        who,
        "measure",
        lambda: protection.take_measure(
            runtime_of(request), tools_of(request), who, case_id, what=what
        ),
    )


@router.post("/cases/{case_id}/refer", dependencies=[Csrf])
async def refer(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    service: Annotated[str, Form(max_length=32)],
    reason: MaybeText = None,
    consent: Annotated[bool, Form()] = False,
) -> Response:
    """Refer the case to a service in the directory."""
    if service not in DIRECTORY:
        raise HTTPException(422, "service: not in the referral directory")
    return await act(
        request,
        case_id,
        who,
        "referral",
        lambda: approvals.request_referral(
            runtime_of(request),
            tools_of(request),
            who,
            case_id,
            service=service,
            consent=consent,
            reason=reason,
        ),
    )


@router.post("/cases/{case_id}/manipulation", dependencies=[Csrf])
async def manipulation(request: Request, case_id: uuid.UUID, who: Who, reason: Text) -> Response:
    """Flag a suspected manipulation of an on-behalf complaint; ask to hear the child."""
    return await act(
        request,
        case_id,
        who,
        "flagged",
        lambda: decisions.flag_manipulation(
            runtime_of(request), tools_of(request), who, case_id, reason=reason
        ),
    )


@router.post("/cases/{case_id}/decide", dependencies=[Csrf])
async def decide(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    findings: Text,
    child_views: Text,
    views_weighed: Text,
    version: Version,
    duty_bearer: MaybeText = None,
    recommendation: MaybeText = None,
    due_in_days: Annotated[int, Form(ge=1, le=730)] = 90,
) -> Response:
    """Decide, with the child's views and how they were weighed, and a recommendation."""
    asked = (
        [decisions.Asked(duty_bearer, recommendation, due_in_days)]
        if (duty_bearer and recommendation)
        else []
    )
    found = decisions.Findings(findings, child_views, views_weighed, asked)
    return await act(
        request,
        case_id,
        who,
        "decided",
        lambda: decisions.decide_case(
            runtime_of(request), tools_of(request), who, case_id, found, version=version
        ),
    )


@router.post("/cases/{case_id}/ask-approval", dependencies=[Csrf])
async def ask_approval(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    kind: Annotated[str, Form(max_length=32)],
    reason: Text,
) -> Response:
    """Ask a supervisor to approve closing or inadmissibility."""
    if kind not in ("close", "declare_inadmissible"):
        raise HTTPException(422, "kind: close or declare_inadmissible")
    return await act(
        request,
        case_id,
        who,
        "approval-asked",
        lambda: approvals.request_step(
            runtime_of(request), tools_of(request), who, case_id, kind=kind, reason=reason
        ),
    )


@router.post("/cases/{case_id}/approvals/{approval_id}", dependencies=[Csrf])
async def settle_approval(
    request: Request,
    case_id: uuid.UUID,
    approval_id: uuid.UUID,
    who: Who,
    verdict: Annotated[str, Form(pattern="^(approve|reject)$")],
    reason: Text,
    version: Version,
) -> Response:
    """A supervisor approves or rejects."""
    return await act(
        request,
        case_id,
        who,
        "approval-approved" if verdict == "approve" else "approval-rejected",
        lambda: approvals.decide(
            runtime_of(request),
            tools_of(request),
            who,
            case_id,
            approval_id,
            approve=verdict == "approve",
            reason=reason,
            version=version,
        ),
    )


@router.post("/pages/{page_id}", dependencies=[Csrf])
async def take_page(request: Request, page_id: uuid.UUID, who: Who) -> Response:
    """Take a page: it stops being re-sent."""
    if not who.has_any(*RESPONDERS):
        raise HTTPException(403, "pages are for case workers and supervisors")
    async with runtime_of(request).sessions() as session:
        page = await acknowledge(session, page_id, who.subject, utcnow())
        await session.commit()
    return RedirectResponse(f"/console/cases/{page.case_id}?done=page-taken", status_code=303)
