"""The flood shield: work-less complaint forms beyond the limits are refused before the app
parses them, so a flood costs the portal little and a child's submission still gets through.

In front of the app (inside the safety headers and the body limit), for `POST
/{lang}/tell/{who}` only: the url-encoded body is read once; a form carrying valid proof of
work (services/intake/pow.py) goes on to the app untouched; one without is counted against
the client's stricter bucket (keyed hash of its address) and the global budget, and past
either gets a 429 page in its language, rendered once per language and then served from
memory. Everything else passes straight through.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.intake.i18n import LANGUAGES
from services.intake.throttle import hashed_client

_FORM = re.compile(r"/([a-z]{2})/tell/[a-z]+/?")


def _first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]


class FloodShield:
    """Counts and refuses work-less complaint forms before the app sees them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes
        self._pages: dict[str, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _FORM.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None or scope["method"] != "POST" or found.group(1) not in LANGUAGES:
            await self.app(scope, receive, send)
            return
        body = await self._body(receive)
        if body is not None and not self._admitted(scope, body):
            await self._refuse(scope, found.group(1), send)
            return
        await self.app(scope, _replay(body or b""), send)

    async def _body(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return None  # the app's own limit answers it
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _admitted(self, scope: Scope, body: bytes) -> bool:
        state = scope["app"].state
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=100)
        token = _first(fields, "form_token")
        if state.work.done(token, _first(fields, "pow_challenge"), _first(fields, "pow_nonce")):
            return True
        host = scope["client"][0] if scope.get("client") else None
        client = hashed_client(state.runtime.lookups, host)
        if state.submissions_without_work.attempt(client) is not None:
            return False
        return bool(state.flood.admit())

    async def _refuse(self, scope: Scope, lang: str, send: Send) -> None:
        if lang not in self._pages:
            pages = scope["app"].state.pages
            rendered = pages.render(Request(scope), lang, "error.html", 429, problem="throttled")
            self._pages[lang] = bytes(rendered.body)
        page = self._pages[lang]
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(page)).encode()),
            (b"retry-after", b"60"),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": page})


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
