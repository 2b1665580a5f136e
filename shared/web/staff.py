"""The staff-token dependency: who is calling, refused with 401/403 before any data is read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request

from shared.auth import StaffPrincipal, TokenVerifier
from shared.errors import InvalidToken

# Browsers cannot send a bearer header on a plain link or form: the consoles carry the same
# token in this cookie (HttpOnly, SameSite=Strict, set at sign-in).
STAFF_COOKIE = "heard_staff"


def presented_token(request: Request) -> str | None:
    """The staff token the request carries: a bearer header, else the console cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(STAFF_COOKIE) or None


def require_roles(*roles: str) -> Callable[[Request], Awaitable[StaffPrincipal]]:
    """A dependency admitting callers with a valid token holding one of `roles`.

    The verifier (public keys only) is `app.state.token_verifier`, set at start-up.
    """

    async def dependency(request: Request) -> StaffPrincipal:
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
