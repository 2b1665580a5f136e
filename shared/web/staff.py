"""The staff-token dependency: who is calling, refused with 401/403 before any data is read."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from shared.auth import StaffPrincipal, verify_token
from shared.errors import InvalidToken


def require_roles(*roles: str) -> Callable[[Request], StaffPrincipal]:
    """A dependency admitting callers with a valid token holding one of `roles`.

    The token key is read from `app.state.token_key`, set by the service's create_app.
    """

    def dependency(request: Request) -> StaffPrincipal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "staff bearer token required", {"WWW-Authenticate": "Bearer"})
        try:
            principal = verify_token(request.app.state.token_key, token.strip())
        except InvalidToken as error:
            raise HTTPException(401, str(error), {"WWW-Authenticate": "Bearer"}) from None
        if not principal.has_any(*roles):
            raise HTTPException(403, f"requires one of the roles: {', '.join(roles)}")
        return principal

    return dependency
