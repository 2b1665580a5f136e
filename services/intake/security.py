"""The portal's safety headers and CSRF check.

Every intake response says: do not cache (a shared phone keeps no copy), send no referrer
(the next site never learns the child was here), load nothing from elsewhere (strict CSP:
no third-party asset, no inline script or style), and never be framed.

CSRF: a random token in an HttpOnly, SameSite=Strict cookie and the same token in each
form (double submit); a form posted without both, or with two that differ, is refused.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "heard_csrf"
CSRF_FIELD = "csrf"
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SafetyHeaders:
    """Adds the headers above to every response (replacing any cache-control)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in HEADERS}
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message["headers"] = kept + list(HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_csrf_token() -> str:
    """A fresh random token for a visitor without one."""
    return secrets.token_urlsafe(32)


def csrf_matches(cookie: str | None, field: str | None) -> bool:
    """Whether a form's token is present and equals the cookie's."""
    if not cookie or not field:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode())
