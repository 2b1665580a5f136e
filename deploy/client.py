"""A client for a running Heard: submit complaints, read casework's queues and audit's log.

Used by the end-to-end tests and the benchmark, which check the system from outside,
over HTTP, exactly as a portal, a case worker and an auditor see it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from deploy.system import SystemConfig
from shared.auth import load_issuer

AUDIT_PAGE = 500
QUEUE_PAGE = 500
# Narratives that reach each of triage's default queues and urgencies.
NARRATIVES = (
    "My uncle hits me every day and I am scared to go home",
    "Someone I met online wants nudes and says he will leak my photos",
    "My teacher says I cannot take the exam because of my disability",
    "I am left alone at home with no food for days",
    "A fake account is posting lies about me and I am bullied online",
    "I want to tell someone about what happens at the children's home",
)


@dataclass(frozen=True)
class Submission:
    """What intake answered to one complaint, and how long it took."""

    status_code: int
    body: dict[str, Any]
    seconds: float

    @property
    def complaint_id(self) -> str | None:
        """The complaint id if intake accepted the complaint."""
        value = self.body.get("complaint_id") if self.status_code == 201 else None
        return str(value) if value is not None else None


def sample_complaint(number: int, marker: str = "") -> dict[str, Any]:
    """A valid complaint body; `marker` (if any) goes into narrative and contact details."""
    narrative = NARRATIVES[number % len(NARRATIVES)]
    body: dict[str, Any] = {
        "channel": ("web", "phone", "sms")[number % 3],
        "language": "en",
        "narrative": f"{narrative} {marker}".strip(),
        "age_band": ("8_11", "12_14", "15_17")[number % 3],
        "submitted_by": "child",
        "anonymous": not marker,
    }
    if marker:
        body["contact"] = {
            "name": f"Child {marker}",
            "phone": "+1555000111",
            "safe_to_contact": True,
        }
    return body


def staff_token(keyring_path: Path, subject: str = "heard-client") -> str:
    """A token for a case worker who is also an auditor, signed by the machine's issuer key."""
    return load_issuer(keyring_path).issue(subject, {"caseworker", "auditor"})


class HeardClient:
    """Async HTTP access to intake, casework and audit of one running system."""

    def __init__(self, config: SystemConfig, *, timeout: float = 30) -> None:
        self._config = config
        self._http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=64))
        self._staff = {"Authorization": f"Bearer {staff_token(config.keyring_path)}"}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _trace: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def submit(
        self, complaint: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Submission:
        """POST one complaint to intake (under `idempotency_key`, if given, so that sending it
        again returns the first answer instead of a second complaint)."""
        started = time.perf_counter()
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        answer = await self._http.post(
            f"{self._config.url('intake')}/api/v1/complaints", json=dict(complaint), headers=headers
        )
        seconds = time.perf_counter() - started
        body = (
            answer.json()
            if answer.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        return Submission(answer.status_code, body, seconds)

    async def queue_items(self) -> list[dict[str, Any]]:
        """Every open case in every casework queue, as the queue lists it."""
        base = f"{self._config.url('casework')}/api/v1/queues"
        overview = await self._get(base)
        items: list[dict[str, Any]] = []
        for queue in overview["queues"]:
            cursor: str | None = None
            while True:
                params: dict[str, str | int] = {"limit": QUEUE_PAGE}
                if cursor:
                    params["cursor"] = cursor
                page = await self._get(f"{base}/{queue['queue']}", params)
                items += page["items"]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
        return items

    async def queued_complaints(self) -> list[str]:
        """The complaint id of every open case in every queue (a repeat would be a bug)."""
        return [str(item["complaint_id"]) for item in await self.queue_items()]

    async def audit_entries(self, newer_than: int = -1) -> list[dict[str, Any]]:
        """Every audit log entry at a position above `newer_than`, newest first."""
        url = f"{self._config.url('audit')}/api/v1/log"
        entries: list[dict[str, Any]] = []
        before: int | None = None
        while True:
            params: dict[str, str | int] = {"limit": AUDIT_PAGE}
            if before is not None:
                params["before"] = before
            page = (await self._get(url, params))["entries"]
            fresh = [e for e in page if e["position"] > newer_than]
            entries += fresh
            if len(fresh) < len(page) or len(page) < AUDIT_PAGE:
                return entries
            before = page[-1]["position"]

    async def _get(self, url: str, params: Mapping[str, str | int] | None = None) -> Any:
        answer = await self._http.get(url, params=params, headers=self._staff)
        answer.raise_for_status()
        return answer.json()
