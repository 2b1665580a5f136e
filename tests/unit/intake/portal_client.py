"""A visitor of the portal, driven through the real app (no browser): reads the CSRF and
form tokens out of pages as a browser would, and posts forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

from services.intake.pow import solve

CODE_ON_PAGE = re.compile(r'<p class="code"[^>]*>(.*?)</p>')
TAG = re.compile(r"<[^>]+>")


def hidden(page: str, name: str) -> str:
    """The value of the hidden input `name` on `page`."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return found.group(1)


class Visitor:
    """One browser: its cookies live in the client; with `javascript`, it does the form's
    proof of work as pow.js would."""

    def __init__(self, client: httpx.AsyncClient, *, javascript: bool = True) -> None:
        self.client, self.javascript = client, javascript

    async def form(self, lang: str = "en", who: str = "teen") -> dict[str, str]:
        """The hidden fields of a fresh complaint form (the work done, with JavaScript)."""
        page = (await self.client.get(f"/{lang}/tell/{who}")).text
        fields = {"csrf": hidden(page, "csrf"), "form_token": hidden(page, "form_token")}
        challenge = hidden(page, "pow_challenge")
        bits = re.search(r'data-pow-bits="([0-9]+)"', page)
        if self.javascript and bits:
            fields |= {"pow_challenge": challenge, "pow_nonce": solve(challenge, int(bits[1]))}
        return fields

    async def submit(self, lang: str = "en", who: str = "teen", **answers: Any) -> httpx.Response:
        """Fill a fresh form with `answers` and send it."""
        fields = await self.form(lang, who)
        return await self.client.post(f"/{lang}/tell/{who}", data={**fields, **answers})

    async def csrf(self) -> str:
        """The visitor's CSRF token (from any page with a form)."""
        return hidden((await self.client.get("/en/follow-up")).text, "csrf")

    async def follow_up(
        self, code: str, lang: str = "en", action: str = "", **fields: Any
    ) -> httpx.Response:
        """Post the code (and `fields`) to a follow-up page."""
        path = f"/{lang}/follow-up" + (f"/{action}" if action else "")
        data = {"csrf": await self.csrf(), "code": code, **fields}
        return await self.client.post(path, data=data)


def receipt_code(page: str) -> str:
    """The receipt code shown on the page."""
    found = CODE_ON_PAGE.search(page)
    assert found, "no receipt code on the page"
    return TAG.sub("", found.group(1))
