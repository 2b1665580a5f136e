"""The case workers' console at /console/: server-rendered pages, no JavaScript, no
third-party assets, a strict CSP, CSRF tokens on every form.

Pages read and act through the same functions as the API (desk, protection, approvals,
decisions), so the permission matrix and access logging apply unchanged. A browser without
a valid staff cookie is sent to sign-in (via refresh, which renews an expired token).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.casework import approvals, decisions, desk, protection
from services.casework.cases_api import runtime_of, tools_of
from services.casework.console_queries import Filters, console_cases, extras, workload
from services.casework.errors import CaseworkError
from services.casework.model import ACTIONS
from services.casework.protection import DIRECTORY
from shared.auth import ROLES, StaffPrincipal
from shared.clock import utcnow
from shared.errors import HeardError
from shared.web.staff import csrf_token, remember_csrf, require_csrf, require_roles

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
router = APIRouter(prefix="/console", include_in_schema=False)
_any_staff = require_roles(*sorted(ROLES))


class SignInRequired(HeardError):
    """No valid staff cookie: the browser goes to sign-in (and comes back)."""

    status_code = 303


async def console_staff(request: Request) -> StaffPrincipal:
    """The signed-in member of staff, or a redirect to sign-in."""
    try:
        return await _any_staff(request)
    except HTTPException as refused:
        if refused.status_code == 401:
            raise SignInRequired(str(request.url)) from None
        raise


Who = Annotated[StaffPrincipal, Depends(console_staff)]
Csrf = Depends(require_csrf)


async def to_sign_in(request: Request, error: Exception) -> Response:
    """Send the browser to the sign-in service's refresh, then back here."""
    signin = request.app.state.signin_url
    return RedirectResponse(
        f"{signin}/signin/refresh?next={quote(str(request.url), safe='')}", status_code=303
    )


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A console page with its CSRF token and security headers."""
    token = csrf_token(request)
    response = TEMPLATES.TemplateResponse(
        request, name, {"csrf": token, "now": utcnow(), **context}, status_code=status
    )
    remember_csrf(response, token, secure=request.url.scheme == "https")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/static/console.css")
async def style() -> Response:
    """The console's one style sheet."""
    return Response((HERE / "templates" / "console.css").read_text("utf-8"), media_type="text/css")


@router.get("/", response_class=HTMLResponse)
async def queue(
    request: Request,
    who: Who,
    queue: str | None = None,
    priority: int | None = None,
    holder: str | None = None,
) -> HTMLResponse:
    """Open cases, overdue first, then priority and deadline; filters by queue, priority, holder."""
    wanted = Filters(queue or None, priority, {"me": who.subject, "none": ""}.get(holder or ""))
    async with runtime_of(request).sessions() as session:
        rows = await console_cases(session, utcnow(), wanted)
    pending = await approvals.pending(runtime_of(request)) if who.has_any("supervisor") else []
    return render(
        request, "queue.html", who=who, rows=rows, filters=wanted, holder=holder, pending=pending
    )


@router.get("/workload", response_class=HTMLResponse)
async def supervisor_workload(request: Request, who: Who) -> HTMLResponse:
    """Who holds how many open, overdue and P1 cases (supervisors)."""
    if not who.has_any("supervisor"):
        raise HTTPException(403, "the workload view is for supervisors")
    async with runtime_of(request).sessions() as session:
        loads = await workload(session, utcnow())
    return render(request, "workload.html", who=who, loads=loads)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    case_id: uuid.UUID,
    who: Who,
    show: str | None = None,
    reason: Annotated[str | None, Query(max_length=500)] = None,
    done: str | None = None,
) -> HTMLResponse:
    """The case: summary, deadlines, timeline, what the child said (on request, logged),
    messages, referrals, and exactly the actions open to the caller now."""
    return await _case(request, case_id, who, show=show, reason=reason, done=done)


async def _case(
    request: Request,
    case_id: uuid.UUID,
    who: StaffPrincipal,
    *,
    status: int = 200,
    show: str | None = None,
    reason: str | None = None,
    done: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    runtime = runtime_of(request)
    seen = await desk.view(runtime, who, case_id)
    said = await desk.read_words(runtime, who, case_id, reason) if show == "words" else None
    identity = (
        await desk.read_identity(runtime, who, case_id, reason) if show == "identity" else None
    )
    async with runtime.sessions() as session:
        more = await extras(session, runtime.fields, seen.case) if seen.may_act else None
    return render(
        request,
        "case.html",
        status,
        who=who,
        seen=seen,
        case=seen.case,
        timeline=await desk.timeline(runtime, who, case_id),
        said=said,
        identity=identity,
        more=more,
        directory=DIRECTORY,
        done=done,
        error=error,
    )


Work = Callable[[], Awaitable[object]]


async def _act(
    request: Request, case_id: uuid.UUID, who: StaffPrincipal, label: str, work: Work
) -> Response:
    """Do `work`; back to the case page (303), or the page again with the refusal (4xx)."""
    try:
        await work()
    except CaseworkError as refused:
        status = refused.status_code or 400
        return await _case(request, case_id, who, status=status, error=refused.public_detail)
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
    return await _act(
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
    return await _act(
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
    return await _act(
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
    return await _act(
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
    return await _act(
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
    return await _act(
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
    return await _act(
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
    return await _act(
        request,
        case_id,
        who,
        f"approval-{verdict}",
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
