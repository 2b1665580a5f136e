"""Casework's desk on a single machine: how fast staff see their work.

    python -m bench.casework_desk --cases 2000 --requests 200

Migrates a SQLite casework database in a temporary folder, opens `--cases` cases through
casework's own handlers (submission and triage, sealed), then measures, in-process over
ASGI: the queue API's first and next page, the console's queue page, a case page, reading
what the child said (which commits a `case accessed` event), a procedure step; and, apart,
a staff token's verification and one sign-in's Argon2id password check. Prints p50/p99 per
operation.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from bench.stats import summary_ms
from services.casework.app import create_app
from services.casework.bootstrap import SERVICE as SPEC
from services.casework.settings import CaseworkSettings
from shared.auth import TokenVerifier, ensure_issuer_files, load_issuer
from shared.crypto.keyring import FileKeyring, init_keyring_file
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.runtime import open_runtime
from tests.support.apps import app_client
from tests.support.intake_events import as_intake, submitted
from tests.unit.casework.support import deliver, deliver_record, triaged


async def _open_cases(settings: CaseworkSettings, count: int) -> None:
    keyring = FileKeyring.load(settings.keyring_path)
    intake, triage = EventCodec(keyring, "intake"), EventCodec(keyring, "triage")
    async with open_runtime("casework", settings, keyring) as runtime:
        for n in range(count):
            sub = submitted()
            await deliver_record(runtime, as_intake(intake, sub))
            await deliver(
                runtime,
                triage,
                triaged(complaint_id=sub.complaint_id, priority=1 + n % 4, queue=f"q{n % 5}"),
            )


async def _timed(times: int, call: Callable[[int], Awaitable[httpx.Response]]) -> list[float]:
    spent = []
    for n in range(times):
        started = time.perf_counter()
        answer = await call(n)
        spent.append(time.perf_counter() - started)
        if answer.status_code >= 400:
            raise RuntimeError(f"{answer.status_code}: {answer.text[:200]}")
    return spent


async def _measure(settings: CaseworkSettings, requests: int) -> None:
    token = load_issuer(settings.keyring_path.parent).issue("sam", {"supervisor"})
    staff = {"Authorization": f"Bearer {token}"}
    async with app_client(create_app(settings)) as client:
        client.cookies.set("heard_staff", token)
        first = (await client.get("/api/v1/queues/q0", headers=staff)).json()
        ids = [item["case_id"] for item in first["items"]]
        print(
            summary_ms(
                "queue API page (overdue first)",
                await _timed(requests, lambda n: client.get("/api/v1/queues/q0", headers=staff)),
            )
        )
        after = {"cursor": first["next_cursor"]} if first["next_cursor"] else {}
        print(
            summary_ms(
                "queue API next page (cursor)",
                await _timed(
                    requests,
                    lambda n: client.get("/api/v1/queues/q0", params=after, headers=staff),
                ),
            )
        )
        print(
            summary_ms(
                "console queue page", await _timed(requests, lambda n: client.get("/console/"))
            )
        )
        print(
            summary_ms(
                "console case page",
                await _timed(requests, lambda n: client.get(f"/console/cases/{ids[n % len(ids)]}")),
            )
        )
        print(
            summary_ms(
                "read the child's words (logged)",
                await _timed(
                    requests,
                    lambda n: client.get(
                        f"/api/v1/cases/{ids[n % len(ids)]}/words",
                        params={"reason": "bench"},
                        headers=staff,
                    ),
                ),
            )
        )
        steps = min(requests, len(ids))
        print(
            summary_ms(
                "procedure step (acknowledge)",
                await _timed(
                    steps,
                    lambda n: client.post(
                        f"/api/v1/cases/{ids[n]}/steps",
                        headers=staff,
                        json={"action": "acknowledge", "version": 1},
                    ),
                ),
            )
        )
    verifier = TokenVerifier.from_files(settings.keyring_path.parent)
    spent = []
    for _ in range(requests * 10):
        started = time.perf_counter()
        verifier.verify(token)
        spent.append(time.perf_counter() - started)
    print(summary_ms("staff token verification", spent))
    hasher, hashed = PasswordHasher(), PasswordHasher().hash("correct horse battery")
    spent = []
    for _ in range(20):
        started = time.perf_counter()
        hasher.verify(hashed, "correct horse battery")
        spent.append(time.perf_counter() - started)
    print(summary_ms("sign-in password check (Argon2id)", spent))


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        keys = Path(folder) / "keyring.json"
        init_keyring_file(keys)
        ensure_issuer_files(Path(folder))
        url = f"sqlite:///{folder}/casework.db"
        upgrade(url, SPEC.migrations)
        settings = CaseworkSettings(database_url=url, HEARD_KEYRING=keys, run_scheduler=False)
        started = time.perf_counter()
        asyncio.run(_open_cases(settings, args.cases))
        print(f"opened {args.cases} cases in {time.perf_counter() - started:.1f} s")
        asyncio.run(_measure(settings, args.requests))


if __name__ == "__main__":
    main()
