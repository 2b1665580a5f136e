"""The public portal: language chooser, start page, the complaint form and its receipt.

Server-rendered, works without JavaScript. The form carries a hidden per-form token used as
the submission's idempotency key: a double click or a resubmitted form gives one complaint.
If the database fails mid-submission, the form comes back with everything typed and says it
may not have been saved; sending it again is safe.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from services.intake.api import intake_keys, throttle_submissions
from services.intake.blocklist import refuse_blocked
from services.intake.errors import ClientBlocked, TooManySubmissions
from services.intake.forms import TEXT_FIELDS, WHO, ComplaintForm, Who, parse_form, to_command
from services.intake.handlers import submit_complaint
from services.intake.i18n import LANGUAGES
from services.intake.pages import Pages, PortalProblem
from services.intake.pow import ProofOfWork
from services.intake.security import CSRF_COOKIE, CSRF_FIELD, csrf_matches
from shared.runtime import Runtime

router = APIRouter(include_in_schema=False)
log = logging.getLogger("heard.intake")
FORM_FIELDS = frozenset(TEXT_FIELDS)


def pages_of(request: Request) -> Pages:
    """The app's page renderer."""
    pages: Pages = request.app.state.pages
    return pages


def language(lang: str) -> str:
    """`lang` if the portal speaks it; PortalProblem (shown in English) otherwise."""
    if lang not in LANGUAGES:
        raise PortalProblem("unknown-language", "en", 404)
    return lang


async def read_form(request: Request, lang: str) -> dict[str, str]:
    """The posted form's fields, after the CSRF check; a page in `lang` if unreadable."""
    try:
        fields = parse_form(request.headers.get("content-type", ""), await request.body())
    except PortalProblem:
        raise
    except Exception:
        raise PortalProblem("form", lang) from None
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), fields.get(CSRF_FIELD)):
        raise PortalProblem("form", lang, 403)
    return fields


@router.get("/", response_class=HTMLResponse)
async def choose_language(request: Request) -> HTMLResponse:
    """Every language, each in its own words; never a guess from the address."""
    return pages_of(request).chooser(request)


@router.get("/{lang}", response_class=HTMLResponse)
@router.get("/{lang}/", response_class=HTMLResponse)
async def start(request: Request, lang: str) -> HTMLResponse:
    """The start page: what this is, that it is safe, and who is writing."""
    if lang not in LANGUAGES:
        return pages_of(request).chooser(request, unknown=True)
    return pages_of(request).render(request, lang, "start.html")


def _who(lang: str, who: str) -> Who:
    for known in WHO:
        if who == known:
            return known
    raise PortalProblem("not-found", lang, 404)


def _form_token(request: Request) -> dict[str, Any]:
    token = secrets.token_urlsafe(24)
    return {"form_token": token, **_work(request, token)}


@router.get("/{lang}/tell/{who}", response_class=HTMLResponse)
async def complaint_form(request: Request, lang: str, who: str) -> HTMLResponse:
    """The form, worded for a young child, a teenager or an adult writing for a child."""
    lang = language(lang)
    return pages_of(request).render(
        request,
        lang,
        "form.html",
        who=_who(lang, who),
        form=None,
        fields=FORM_FIELDS,
        **_form_token(request),
    )


@router.post("/{lang}/tell/{who}", response_class=HTMLResponse)
async def send_complaint(request: Request, lang: str, who: str) -> HTMLResponse:
    """Store the complaint and show its receipt code once; or the form again, nothing lost."""
    lang = language(lang)
    form = ComplaintForm(_who(lang, who), await read_form(request, lang))
    token = form.values.get("form_token") or secrets.token_urlsafe(24)
    command = to_command(form, lang)
    if command is None:
        return _form_again(request, lang, form, token, 400)
    await _admit(request, lang, token, form.values)
    runtime: Runtime = request.app.state.runtime
    try:
        ack = await submit_complaint(
            command, runtime=runtime, keys=intake_keys(request), idempotency_key=token[:200]
        )
    except (OperationalError, InterfaceError, DBAPIError) as error:
        log.error("submission outcome unknown: %s", type(error).__name__)
        return _form_again(request, lang, form, token, 503, unsure=True)
    return pages_of(request).render(request, lang, "received.html", code=ack.receipt_code)


async def _admit(request: Request, lang: str, token: str, values: dict[str, str]) -> None:
    work: ProofOfWork = request.app.state.work
    done = work.done(token, values.get("pow_challenge", ""), values.get("pow_nonce", ""))
    try:
        if done:  # forms without work were counted by the flood shield already
            throttle_submissions(request)
        await refuse_blocked(request)
    except TooManySubmissions:
        raise PortalProblem("throttled", lang, 429) from None
    except ClientBlocked:
        raise PortalProblem("blocked", lang, 403) from None


def _work(request: Request, token: str) -> dict[str, Any]:
    work: ProofOfWork = request.app.state.work
    return {"work_challenge": work.challenge(token), "work_bits": work.bits}


def _form_again(
    request: Request, lang: str, form: ComplaintForm, token: str, status: int, unsure: bool = False
) -> HTMLResponse:
    return pages_of(request).render(
        request,
        lang,
        "form.html",
        status,
        who=form.who,
        form=form,
        fields=FORM_FIELDS,
        form_token=token,
        unsure=unsure,
        **_work(request, token),
    )
