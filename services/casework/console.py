"""The case workers' console at /console/: server-rendered pages, no JavaScript, no
third-party assets, a strict CSP, CSRF tokens on every form.

Pages read and act through the same functions as the API (desk, protection, approvals,
decisions), so the permission matrix and access logging apply unchanged. A browser without
a valid staff cookie is sent to sign-in (via refresh, which renews an expired token).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.casework import approvals, desk
from services.casework.cases_api import runtime_of
from services.casework.console_queries import Filters, console_cases, extras, workload
from services.casework.protection import DIRECTORY, REFERRAL_MOVES
from services.casework.queues import unacknowledged_pages
from services.casework.register import register
from shared.auth import ROLES, StaffPrincipal
from shared.clock import utcnow
from shared.errors import HeardError
from shared.web.staff import csrf_token, remember_csrf, require_roles

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
router = APIRouter(prefix="/console", include_in_schema=False)
_any_staff = require_roles(*sorted(ROLES))
RESPONDERS = ("caseworker", "supervisor")  # who is paged, and may take a page


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
    async with runtime_of(request).sessions() as session:
        pages = await unacknowledged_pages(session) if who.has_any(*RESPONDERS) else []
    return render(
        request,
        "queue.html",
        who=who,
        rows=rows,
        filters=wanted,
        holder=holder,
        pending=pending,
        pages=pages,
    )


@router.get("/workload", response_class=HTMLResponse)
async def supervisor_workload(request: Request, who: Who) -> HTMLResponse:
    """Who holds how many open, overdue and P1 cases (supervisors)."""
    if not who.has_any("supervisor"):
        raise HTTPException(403, "the workload view is for supervisors")
    async with runtime_of(request).sessions() as session:
        loads = await workload(session, utcnow())
    return render(request, "workload.html", who=who, loads=loads)


@router.get("/recommendations", response_class=HTMLResponse)
async def recommendations(request: Request, who: Who) -> HTMLResponse:
    """The register of recommendations to duty-bearers (supervisors and auditors)."""
    if not who.has_any("supervisor", "auditor"):
        raise HTTPException(403, "the register is for supervisors and auditors")
    async with runtime_of(request).sessions() as session:
        entries = await register(session, utcnow())
    return render(request, "register.html", who=who, entries=entries)


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
    return await case_page_for(request, case_id, who, show=show, reason=reason, done=done)


async def case_page_for(
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
    """The case page for `who` (the refusal or notice shown, with `status`)."""
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
        referral_moves=REFERRAL_MOVES,
        done=done,
        error=error,
    )
