"""Paging the on-call staff about pressing cases: one interface, four adapters (a file on a
single machine, e-mail, a webhook, SMS through a gateway's HTTP API).

A page says which case and how pressing, never anything about the child (it leaves the
system). The scheduler sends due pages and re-sends each until someone acknowledges it.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import httpx


@dataclass(frozen=True)
class PageNotice:
    """What a page says."""

    page_id: str
    case_id: str
    priority: int
    reason: str
    attempt: int

    def short_text(self) -> str:
        """The page in one SMS (at most 160 characters): short ids, the console has the rest."""
        return (
            f"Heard: P{self.priority} case {self.case_id[:8]} needs attention now. "
            f"Acknowledge page {self.page_id[:8]} in the console (attempt {self.attempt})."
        )[:160]

    def text(self) -> str:
        """The page as one line a person reads on a phone."""
        return (
            f"Heard: P{self.priority} case {self.case_id} needs attention now ({self.reason}); "
            f"page {self.page_id}, attempt {self.attempt}. Acknowledge in the console."
        )


class Notifier(Protocol):
    """Delivers pages; raises OSError (or httpx.HTTPError) when it could not."""

    async def send(self, notice: PageNotice) -> None:
        """Deliver `notice` to the on-call staff."""
        ...


@dataclass(frozen=True)
class FileNotifier:
    """A single machine's pager: one JSON line per page in a file the on-call person watches."""

    path: Path

    async def send(self, notice: PageNotice) -> None:
        """Append `notice` to the file."""
        line = json.dumps({**notice.__dict__, "text": notice.text()}) + "\n"
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line)


@dataclass(frozen=True)
class EmailNotifier:
    """Pages by e-mail through an SMTP server."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]

    async def send(self, notice: PageNotice) -> None:
        """Send `notice` as a plain-text e-mail to every on-call recipient."""
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.recipients)
        message["Subject"] = f"Heard page: P{notice.priority} case needs attention"
        message.set_content(notice.text())
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)


@dataclass(frozen=True)
class WebhookNotifier:
    """Pages by POSTing JSON to an on-call service's webhook."""

    url: str
    transport: httpx.AsyncBaseTransport | None = None  # a test's seam (httpx.MockTransport)

    async def send(self, notice: PageNotice) -> None:
        """POST `notice`; a non-2xx answer is a failed delivery."""
        async with httpx.AsyncClient(timeout=10, transport=self.transport) as client:
            answer = await client.post(self.url, json={**notice.__dict__, "text": notice.text()})
            answer.raise_for_status()


@dataclass(frozen=True)
class SmsNotifier:
    """Pages by SMS: one POST per on-call number to an SMS gateway's HTTP API."""

    url: str
    numbers: tuple[str, ...]
    token: str | None = None  # the gateway's bearer token, if it asks for one
    transport: httpx.AsyncBaseTransport | None = None  # a test's seam (httpx.MockTransport)

    async def send(self, notice: PageNotice) -> None:
        """Text every number; a non-2xx answer for any of them is a failed delivery."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with httpx.AsyncClient(
            timeout=10, transport=self.transport, headers=headers
        ) as client:
            for number in self.numbers:
                body = {"to": number, "text": notice.short_text()}
                (await client.post(self.url, json=body)).raise_for_status()
