"""The follow-up pages: the child types their code (never in a URL) and sees where the
complaint stands, reads the case worker's messages, replies, adds information, withdraws
(after a page saying what that means) and, once closed, may say whether they felt heard.

Every action posts the code again in the form body (no session is kept). Each lookup is
rate-limited per client (keyed hash, no address kept) and takes at least a fixed time, so a
wrong code is refused no faster than a right one is answered.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake import follow_up, store
from services.intake.api import intake_keys
from services.intake.db import ComplaintStatus
from services.intake.errors import AlreadyFinished, NotYetClosed
from services.intake.model import CONTROL_CHARACTERS, RANK, is_finished
from services.intake.pages import PortalProblem
from services.intake.portal import language, pages_of, read_form
from services.intake.throttle import TokenBucketLimiter, hashed_client
from shared.runtime import Runtime

router = APIRouter(include_in_schema=False)
Fields = dict[str, str]
REPLY_MAX = 4000
INFORMATION_MAX = 20_000
# The steps a child sees on the way, in order (the alternatives are told when they happen).
SHOWN_STEPS = (
    "received",
    "acknowledged",
    "admissibility_review",
    "transmitted",
    "decision",
    "closed",
)


@dataclass(frozen=True)
class StepView:
    """One line of the list of steps."""

    status: str
    done: bool
    current: bool


def _steps(status: str) -> list[StepView]:
    rank = RANK[status]
    shown = [s for s in SHOWN_STEPS if RANK[s] < rank] + [status]
    later = [
        s for s in SHOWN_STEPS if RANK[s] > rank and status not in {"withdrawn", "inadmissible"}
    ]
    return [StepView(s, True, s == status) for s in shown] + [
        StepView(s, False, False) for s in later
    ]


async def _open(request: Request, lang: str, code: str) -> ComplaintStatus:
    """The status the code opens, taking at least the floor time whatever the answer."""
    settings = request.app.state.pages.settings
    started = time.monotonic()
    try:
        status = await _lookup(request, lang, code)
    finally:
        left = settings.lookup_floor_seconds - (time.monotonic() - started)
        if left > 0:
            await asyncio.sleep(left)
    return status


async def _lookup(request: Request, lang: str, code: str) -> ComplaintStatus:
    # Only wrong codes spend the client's attempts: a child using theirs is never locked out.
    runtime: Runtime = request.app.state.runtime
    limiter: TokenBucketLimiter = request.app.state.lookups
    host = request.client.host if request.client else None
    client = hashed_client(runtime.lookups, host)
    if limiter.wait(client) is not None:
        raise PortalProblem("throttled", lang, 429)
    try:
        async with runtime.sessions() as session:
            status = await store.status_by_receipt(session, intake_keys(request).receipts, code)
    except ValueError:
        status = None  # not even shaped like a code: the same answer as an unknown one
    if status is None:
        limiter.attempt(client)
        raise PortalProblem("unknown-code", lang, 404)
    return status


async def _case_page(
    request: Request, lang: str, code: str, status: ComplaintStatus
) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        first_return = await store.first_return(session, status.complaint_id)
        messages = await store.messages_of(session, runtime.fields, status.complaint_id)
        explanation = await runtime.fields.open(
            session, status.complaint_id, "explanation", status.explanation
        )
    return pages_of(request).render(
        request,
        lang,
        "case.html",
        status=status,
        steps=_steps(status.status),
        messages=messages,
        explanation=explanation,
        finished=is_finished(status.status),
        code=code,
        first_return=first_return,
    )


@router.get("/{lang}/follow-up", response_class=HTMLResponse)
async def code_form(request: Request, lang: str) -> HTMLResponse:
    """The page where the child types their code."""
    lang = language(lang)
    return pages_of(request).render(request, lang, "follow_up.html", problem=None)


async def posted(request: Request, lang: str) -> tuple[str, dict[str, str], ComplaintStatus]:
    """The posted form's code, its fields and the status the code opens; CodePage if none."""
    fields = await read_form(request, lang)
    code = fields.get("code", "")[:64]
    try:
        return code, fields, await _open(request, lang, code)
    except PortalProblem as problem:
        if problem.problem not in {"unknown-code", "throttled"}:
            raise
        kind = "unknown" if problem.problem == "unknown-code" else "throttled"
        raise CodePage(kind, problem.status_code or 400) from None


class CodePage(Exception):
    """The code page again: the code was unknown or the client tried too often."""

    def __init__(self, kind: str, status: int) -> None:
        self.kind, self.status = kind, status


@router.post("/{lang}/follow-up", response_class=HTMLResponse)
async def show_case(request: Request, lang: str) -> HTMLResponse:
    """Where the complaint stands, its messages, and what the child can do."""
    lang = language(lang)
    try:
        code, _, status = await posted(request, lang)
    except CodePage as page:
        return code_again(request, lang, page)
    return await _case_page(request, lang, code, status)


def code_again(request: Request, lang: str, page: CodePage) -> HTMLResponse:
    """The code page again, saying why."""
    return pages_of(request).render(request, lang, "follow_up.html", page.status, problem=page.kind)


def _text(fields: dict[str, str], lang: str, limit: int) -> str:
    text = fields.get("text", "").strip()
    if not text:
        raise PortalProblem("empty", lang)
    if len(text) > limit:
        raise PortalProblem("too_long", lang)
    if CONTROL_CHARACTERS.search(text):
        raise PortalProblem("control", lang)
    return text


async def _act(request: Request, lang: str, what: str) -> HTMLResponse:
    lang = language(lang)
    try:
        code, fields, status = await posted(request, lang)
    except CodePage as page:
        return code_again(request, lang, page)
    runtime: Runtime = request.app.state.runtime
    try:
        await _ACTIONS[what](runtime, status.complaint_id, fields, lang)
    except AlreadyFinished:
        raise PortalProblem("finished", lang, 409) from None
    except NotYetClosed:
        raise PortalProblem("not-found", lang, 409) from None
    return pages_of(request).render(request, lang, "done.html", what=what, code=code)


async def _reply(
    runtime: Runtime, complaint_id: uuid.UUID, fields: dict[str, str], lang: str
) -> None:
    text = _text(fields, lang, REPLY_MAX)
    await follow_up.reply(runtime.uow(), runtime.fields, complaint_id, text)


async def _add(
    runtime: Runtime, complaint_id: uuid.UUID, fields: dict[str, str], lang: str
) -> None:
    text = _text(fields, lang, INFORMATION_MAX)
    await follow_up.add_information(runtime.uow(), runtime.fields, complaint_id, text)


async def _withdraw(runtime: Runtime, complaint_id: uuid.UUID, _f: Fields, _l: str) -> None:
    await follow_up.withdraw(runtime.uow(), complaint_id)


def _answer(value: str | None) -> Any:
    return value if value in {"yes", "somewhat", "no"} else None


async def _feedback(
    runtime: Runtime, complaint_id: uuid.UUID, fields: dict[str, str], _l: str
) -> None:
    felt, helped = _answer(fields.get("felt_heard")), _answer(fields.get("helped"))
    await follow_up.give_feedback(runtime.uow(), complaint_id, felt, helped)


_ACTIONS = {"sent": _reply, "added": _add, "withdrawn": _withdraw, "feedback": _feedback}


@router.post("/{lang}/follow-up/reply", response_class=HTMLResponse)
async def reply(request: Request, lang: str) -> HTMLResponse:
    """The child's message to the case worker."""
    return await _act(request, lang, "sent")


@router.post("/{lang}/follow-up/add", response_class=HTMLResponse)
async def add_information(request: Request, lang: str) -> HTMLResponse:
    """Information the child adds to the complaint."""
    return await _act(request, lang, "added")


@router.post("/{lang}/follow-up/withdraw", response_class=HTMLResponse)
async def explain_withdrawal(request: Request, lang: str) -> HTMLResponse:
    """What withdrawing means, before the child confirms it."""
    lang = language(lang)
    try:
        code, _, _status = await posted(request, lang)
    except CodePage as page:
        return code_again(request, lang, page)
    return pages_of(request).render(request, lang, "withdraw.html", code=code)


@router.post("/{lang}/follow-up/withdraw/confirm", response_class=HTMLResponse)
async def withdraw(request: Request, lang: str) -> HTMLResponse:
    """The child withdraws the complaint."""
    return await _act(request, lang, "withdrawn")


@router.post("/{lang}/follow-up/feedback/next", response_class=HTMLResponse)
async def feedback_second_question(request: Request, lang: str) -> HTMLResponse:
    """The second of the two feedback taps (the first answer rides along in the form)."""
    lang = language(lang)
    try:
        code, fields, _status = await posted(request, lang)
    except CodePage as page:
        return code_again(request, lang, page)
    felt = _answer(fields.get("felt_heard")) or ""
    return pages_of(request).render(request, lang, "feedback.html", code=code, felt_heard=felt)


@router.post("/{lang}/follow-up/feedback", response_class=HTMLResponse)
async def feedback(request: Request, lang: str) -> HTMLResponse:
    """Whether the child felt heard and helped (statistics only)."""
    return await _act(request, lang, "feedback")
