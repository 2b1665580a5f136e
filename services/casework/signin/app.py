"""The sign-in service's app: the sign-in page, token refresh, sign-out, the public JWKS.

It alone holds the issuer's private key. A successful sign-in opens a session (cookie
`heard_session`, sent only to /signin paths) and sets the short-lived staff token as the
`heard_staff` cookie (HttpOnly, SameSite=Strict, Path=/, Secure on https). Cookies belong to
a host, not a port, so one sign-in serves every console on the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.casework.signin.accounts import (
    SignInRefused,
    StaffAccount,
    StaffSession,
    live_session,
    sign_in,
)
from services.casework.signin.settings import SigninSettings
from services.casework.signin.totp_keys import TotpSealer
from shared.auth import TokenIssuer, load_issuer, revoke_sessions
from shared.clock import utcnow
from shared.db.engine import make_engine, make_session_factory
from shared.web.app import install_common
from shared.web.staff import STAFF_COOKIE, csrf_token, remember_csrf, require_csrf

SESSION_COOKIE = "heard_session"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STYLE = Path(__file__).parent / "templates" / "signin.css"
router = APIRouter()


def _csp(request: Request) -> str:
    # The form posts here and is redirected to a console on this host (another port).
    here = f"{request.url.scheme}://{request.url.hostname}:*"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action 'self' {here}; frame-ancestors 'none'; base-uri 'none'"
    )


def safe_next(request: Request, target: str | None) -> str:
    """Where to go after signing in: a path, or a URL on this same host (any port)."""
    if not target:
        return "/signin/done"
    parts = urlsplit(target)
    if (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    same_host = parts.hostname == request.url.hostname and parts.scheme in ("http", "https")
    return target if same_host else "/signin/done"


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    token = csrf_token(request)
    response = TEMPLATES.TemplateResponse(
        request, "signin.html", {"csrf": token, **context}, status_code=status
    )
    remember_csrf(response, token, secure=request.url.scheme == "https")
    response.headers["Content-Security-Policy"] = _csp(request)
    return response


def _signed_in(
    request: Request, account: StaffAccount, opened: StaffSession, target: str
) -> Response:
    issuer: TokenIssuer = request.app.state.issuer
    ttl: timedelta = request.app.state.token_ttl
    token = issuer.issue(
        account.username,
        set(account.roles.split(",")),
        ttl=ttl,
        session=opened.session_id,
        region=account.region,
    )
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        SESSION_COOKIE,
        opened.session_id,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/signin",
    )
    return response


def create_signin_app(settings: SigninSettings) -> FastAPI:
    """The sign-in service for `settings` (keys and database opened at start-up)."""
    ttl = timedelta(minutes=settings.token_minutes)
    folder = settings.staff_keys_folder()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.sessions = make_session_factory(engine)
        app.state.issuer = load_issuer(folder)
        app.state.totp = TotpSealer.from_folder(folder)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Heard sign-in", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_common(app, max_body_bytes=settings.max_body_bytes)
    app.state.token_ttl, app.state.staff_keys = ttl, folder
    app.include_router(router)
    return app


@router.get("/signin", response_class=HTMLResponse)
async def form(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return _page(request, next=safe_next(request, next))


@router.post("/signin", dependencies=[Depends(require_csrf)])
async def submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    code: Annotated[str, Form(max_length=10)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Check name, password and TOTP code; open a session and set the staff token."""
    target = safe_next(request, next)
    async with request.app.state.sessions() as session:
        try:
            account, opened = await sign_in(
                session, request.app.state.totp, username, password, code.strip(), utcnow()
            )
        except SignInRefused as refused:
            await session.commit()  # the failure count, and any lockout, must stay
            return _page(request, 401, next=target, error=refused.public_detail)
        await session.commit()
    return _signed_in(request, account, opened, target)


@router.get("/signin/refresh")
async def refresh(request: Request, next: str | None = None) -> Response:
    """A fresh staff token for a live session; else back to the sign-in form."""
    target = safe_next(request, next)
    async with request.app.state.sessions() as session:
        found = await live_session(session, request.cookies.get(SESSION_COOKIE, ""), utcnow())
    if found is None:
        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
    return _signed_in(request, *found, target)


@router.post("/signin/signout", dependencies=[Depends(require_csrf)])
async def sign_out(request: Request) -> Response:
    """End the session: revoked here and on the list every service reads."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    async with request.app.state.sessions() as session:
        row = await session.get(StaffSession, session_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
            expiry = utcnow() + request.app.state.token_ttl
            revoke_sessions(request.app.state.staff_keys, {session_id: expiry})
        await session.commit()
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    response.delete_cookie(SESSION_COOKIE, path="/signin")
    return response


@router.get("/signin/done", response_class=HTMLResponse)
async def done(request: Request) -> HTMLResponse:
    """Where sign-in lands when no console asked for it."""
    return _page(request, signed_in=True)


@router.get("/signin/style.css")
async def style() -> Response:
    """The sign-in page's style sheet (no inline styles under the CSP)."""
    return Response(STYLE.read_text("utf-8"), media_type="text/css")


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> dict[str, Any]:
    """The issuer's public keys (JWKS)."""
    issuer: TokenIssuer = request.app.state.issuer
    return {"keys": [issuer.public_jwk()]}
