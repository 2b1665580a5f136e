"""Rendering the portal's pages: Jinja2 templates in the visitor's language, with the
visitor's CSRF token (and its cookie, the first time).

A problem anywhere in the portal raises `PortalProblem`, shown as a page in the visitor's
language with the right status (never a JSON error, never the visitor's input echoed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.types import ASGIApp, Receive, Scope, Send

from services.intake.errors import IntakeError
from services.intake.i18n import LANGUAGES, NAMES, direction, translations
from services.intake.security import CSRF_COOKIE, new_csrf_token
from services.intake.settings import IntakeSettings

TEMPLATES = Path(__file__).parent / "templates"


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional marker name
    """Mark `message` for the catalogs; it is translated where shown."""
    return message


# The chooser shows each language's own words side by side (from each catalog).
CHOOSE = N_("Choose this language")
UNKNOWN = N_("We do not have this language. Please choose one below.")
DANGER = N_("In danger right now? Call %(number)s.")


def phone_link(number: str) -> Markup:
    """A number a phone can call with one tap, kept left-to-right and on one line."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return Markup('<a class="tel" href="tel:{}"><bdi dir="ltr">{}</bdi></a>').format(digits, number)


class PortalProblem(IntakeError):
    """Something the visitor must be told on a page: `problem` names what, in no words of theirs."""

    def __init__(self, problem: str, language: str, status_code: int = 400) -> None:
        super().__init__(problem)
        self.problem = problem
        self.language = language if language in LANGUAGES else "en"
        self.status_code = status_code

    public_detail = "see the page"


class Pages:
    """The portal's template environment and settings."""

    def __init__(self, settings: IntakeSettings) -> None:
        self.settings = settings
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            auto_reload=False,
        )
        self.phones = {
            "emergency": phone_link(settings.emergency_number),
            "helpline": phone_link(settings.child_helpline_number),
        }

    def render(
        self, request: Request, language: str, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        """`name` rendered in `language`, with the visitor's CSRF token."""
        token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        gettext = translations(language).gettext
        html = self.env.get_template(name).render(
            _=gettext,
            lang=language,
            dir=direction(language),
            settings=self.settings,
            phones=self.phones,
            csrf=token,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    def chooser(self, request: Request, *, unknown: bool = False) -> HTMLResponse:
        """The language chooser (also the answer to a language Heard does not have)."""
        in_each = {code: translations(code).gettext for code in LANGUAGES}
        return self.render(
            request,
            "en",
            "choose.html",
            404 if unknown else 200,
            names=NAMES,
            unknown=unknown,
            choose_text={code: t(CHOOSE) for code, t in in_each.items()},
            unknown_text={code: t(UNKNOWN) for code, t in in_each.items()},
            danger_text={code: t(DANGER) for code, t in in_each.items()},
        )


def install_problem_pages(app: FastAPI) -> None:
    """Show a `PortalProblem` as a page in the visitor's language."""

    async def problem_page(request: Request, error: Exception) -> HTMLResponse:
        assert isinstance(error, PortalProblem)  # noqa: S101 - registered for this type
        pages: Pages = request.app.state.pages
        return pages.render(
            request, error.language, "error.html", error.status_code or 400, problem=error.problem
        )

    async def not_found(request: Request, error: Exception) -> Response:
        # The JSON API keeps JSON answers; any other unknown address gets a page.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        lang = request.url.path.strip("/").split("/", 1)[0]
        if lang in LANGUAGES:
            return await problem_page(request, PortalProblem("not-found", lang, 404))
        pages: Pages = request.app.state.pages
        return pages.chooser(request, unknown=True)

    app.add_exception_handler(PortalProblem, problem_page)
    app.add_exception_handler(404, not_found)


class OversizedForms:
    """A portal form declared larger than the body limit gets a page in the visitor's
    language (413) instead of the API's JSON answer; the API and webhook keep theirs."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._oversized_form(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        lang = request.url.path.strip("/").split("/", 1)[0]
        pages: Pages = request.app.state.pages
        language = lang if lang in LANGUAGES else "en"
        response = pages.render(request, language, "error.html", 413, problem="too_long")
        await response(scope, receive, send)

    def _oversized_form(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        if scope["path"].startswith(("/api/", "/sms/")):
            return False
        length = dict(scope["headers"]).get(b"content-length", b"")
        return length.isdigit() and int(length) > self.max_bytes
