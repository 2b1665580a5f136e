"""The helpline console: an operator records a phone call.

A call about a child's rights (the child about themself, someone about a child, an
emergency) becomes a complaint like one from the web, with channel `phone` and the
operator's id, and a receipt code the operator reads out. Silent, hang-up, abusive and
information-only calls are counted (type, operator, time) without creating a case.

Staff pages are in English; staff sign in elsewhere (a bearer token or the console cookie).
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from services.intake.api import intake_keys
from services.intake.db import CallRecord
from services.intake.forms import ComplaintForm, to_command
from services.intake.handlers import submit_complaint
from services.intake.i18n import LANGUAGES
from services.intake.portal import pages_of, read_form
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.ids import new_id
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/console", include_in_schema=False)
Operator = Annotated[StaffPrincipal, Depends(require_roles("operator"))]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles("operator", "supervisor"))]
COMPLAINT_CALLS = ("child_about_self", "about_a_child", "emergency")
OTHER_CALLS = ("silent", "hang_up", "abusive", "information_only")
CALL_TYPES = COMPLAINT_CALLS + OTHER_CALLS


def _page(
    request: Request, operator: StaffPrincipal, status: int = 200, **context: object
) -> HTMLResponse:
    return pages_of(request).render(
        request,
        "en",
        "console_call.html",
        status,
        operator=operator.subject,
        call_types=CALL_TYPES,
        languages=LANGUAGES,
        form_token=secrets.token_urlsafe(24),
        **context,
    )


@router.get("/calls", response_class=HTMLResponse)
async def call_form(request: Request, operator: Operator) -> HTMLResponse:
    """The form an operator fills in during or after a call."""
    return _page(request, operator, form=None)


def _as_complaint_form(fields: dict[str, str]) -> ComplaintForm:
    call_type = fields.get("call_type")
    who = "adult" if call_type == "about_a_child" else "teen"
    form = ComplaintForm(who, fields)  # type: ignore[arg-type]
    if call_type == "emergency":
        form.values["in_danger"] = "yes"
    return form


@router.post("/calls", response_class=HTMLResponse)
async def record_call(request: Request, operator: Operator) -> HTMLResponse:
    """Record the call: a complaint with a receipt code, or a counted non-complaint call."""
    fields = await read_form(request, "en")
    call_type = fields.get("call_type", "")
    runtime: Runtime = request.app.state.runtime
    if call_type in OTHER_CALLS:
        async with runtime.sessions() as session:
            session.add(
                CallRecord(
                    call_id=new_id(),
                    call_type=call_type,
                    operator_id=operator.subject,
                    recorded_at=utcnow(),
                )
            )
            await session.commit()
        return _page(request, operator, form=None, counted=call_type)
    if call_type not in COMPLAINT_CALLS:
        return _page(request, operator, 400, form=None, problem="call_type")
    language = fields.get("language", "en") if fields.get("language") in LANGUAGES else "en"
    form = _as_complaint_form(fields)
    command = to_command(form, language)
    if command is None:
        return _page(request, operator, 400, form=form)
    command = command.model_copy(update={"channel": "phone"})
    ack = await submit_complaint(
        command,
        runtime=runtime,
        keys=intake_keys(request),
        idempotency_key=fields.get("form_token") or None,
        operator_id=operator.subject,
    )
    return _page(request, operator, form=None, code=ack.receipt_code)


@router.get("/calls/counts")
async def call_counts(request: Request, _caller: Supervisor) -> dict[str, int]:
    """How many calls of each non-complaint type were counted (statistics, no case)."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        types = (await session.exec(select(CallRecord.call_type))).all()
    return dict(Counter(types))
