"""The staff-token dependency: who is calling, refused with 401/403 before any data is read;
and the consoles' CSRF check."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import StaffPrincipal, TokenVerifier
from shared.errors import InvalidToken

# Browsers cannot send a bearer header on a plain link or form: the consoles carry the same
# token in this cookie (HttpOnly, SameSite=Strict, set at sign-in).
STAFF_COOKIE = "heard_staff"
# Declared (never enforced: `require_roles` checks) so that OpenAPI lists how staff routes
# are signed into, and their 401 and 403 answers (shared.web.contract).
_BEARER = HTTPBearer(auto_error=False, description="a staff token from the sign-in process")
_COOKIE = APIKeyCookie(name=STAFF_COOKIE, auto_error=False, description="the consoles' cookie")


def presented_token(request: Request) -> str | None:
    """The staff token the request carries: a bearer header, else the console cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(STAFF_COOKIE) or None


def require_roles(*roles: str) -> Callable[..., Awaitable[StaffPrincipal]]:
    """A dependency admitting callers with a valid token holding one of `roles`.

    The verifier (public keys only) is `app.state.token_verifier`, set at start-up.
    """

    async def dependency(
        request: Request,
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
        _cookie: Annotated[str | None, Depends(_COOKIE)] = None,
    ) -> StaffPrincipal:
        token = presented_token(request)
        if token is None:
            raise HTTPException(401, "staff bearer token required", {"WWW-Authenticate": "Bearer"})
        try:
            verifier: TokenVerifier = request.app.state.token_verifier
            principal = verifier.verify(token)
        except InvalidToken as error:
            raise HTTPException(401, str(error), {"WWW-Authenticate": "Bearer"}) from None
        if not principal.has_any(*roles):
            raise HTTPException(403, f"requires one of the roles: {', '.join(roles)}")
        return principal

    return dependency


# Consoles' forms carry a CSRF token equal to this cookie's value (double submit); the staff
# cookie is SameSite=Strict as well, so a form posted from another site carries neither.
CSRF_COOKIE = "heard_csrf"
CSRF_FIELD = "csrf"


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (a fresh one if it has none yet; set it with
    `remember_csrf` on the response)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def remember_csrf(response: Response, token: str, *, secure: bool) -> None:
    """Set the CSRF cookie on `response`."""
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


async def require_csrf(request: Request) -> None:
    """Refuse (403) a form whose CSRF field is missing or does not match the cookie."""
    form = await request.form()
    sent, expected = form.get(CSRF_FIELD), request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "csrf: the form's security token is missing or stale; reload")
