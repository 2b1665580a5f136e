"""The audit log's own figures: integration rate, proofs at size, and the full verifier.

    python -m bench.audit_log [--entries 1000000] [--database-url URL]

1. Fills `audit_log_entry` with N made-up entries (multi-row inserts, as the consumer's
   batches will), then integrates them into the tree in the integrator's batches: entries
   per second integrated and signed.
2. Times inclusion and consistency proofs at N through the real HTTP API (uvicorn), and
   reports their sizes.
3. Runs `heard audit verify` over HTTP against the whole log (every entry bundle, the root),
   twice: against a freshly started API (tiles read from the database, CHUNK at a time), then
   again (tiles from the API's cache). Prints wall time and the CPU seconds the verifier and
   the API each used, and the load average: on a shared machine wall time is mostly waiting.
`--directory DIR` keeps the log in DIR and reuses it on the next run (fill and integrate once).
The consumer path (Kafka to row) is measured by bench/pipeline.py.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench.stats import summary_ms
from deploy.ports import free_port
from services.audit.bootstrap import SERVICE as SPEC
from services.audit.db import AuditLogEntry
from services.audit.integrator import integrate, log_verifier
from services.audit.settings import AuditSettings
from services.audit.verifier import PARALLEL, Request, verify
from shared.auth import ensure_issuer_files
from shared.clock import utcnow
from shared.crypto.keyring import init_keyring_file
from shared.db.migrations import upgrade
from shared.runtime import Runtime, open_runtime
from shared.tlog import note

FILL_BATCH = 5_000


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _rows(start: int, count: int) -> list[dict[str, object]]:
    now = utcnow()
    rows = []
    for position in range(start, start + count):
        entry = hashlib.sha256(position.to_bytes(8, "big")).digest()
        rows.append(
            {
                "position": position,
                "entry_hash": entry.hex(),
                "leaf_hash": hashlib.sha256(b"\x00" + entry).hexdigest(),
                "event_id": f"00000000-0000-4000-8000-{position:012x}",
                "topic": "complaints",
                "partition": 0,
                "offset": position,
                "appended_at": now,
            }
        )
    return rows


async def fill(runtime: Runtime, entries: int) -> float:
    """Insert `entries` rows; returns seconds taken."""
    started = time.perf_counter()
    for start in range(0, entries, FILL_BATCH):
        async with runtime.engine.begin() as connection:
            rows = _rows(start, min(FILL_BATCH, entries - start))
            await connection.execute(sa.insert(AuditLogEntry), rows)
    return time.perf_counter() - started


async def integrate_everything(runtime: Runtime, settings: AuditSettings) -> float:
    """Integrate until the tree covers the log; returns seconds taken."""
    started = time.perf_counter()
    while await integrate(runtime, settings) is not None:
        pass
    return time.perf_counter() - started


def _serve(settings: AuditSettings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AUDIT_DATABASE_URL": settings.database_url,
        "HEARD_KEYRING": str(settings.keyring_path),
        "AUDIT_PORT": str(port),
    }
    return subprocess.Popen([sys.executable, "-m", "services.audit", "api"], env=env)


async def _wait_up(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await client.get("checkpoint")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("audit did not start")


async def proofs(client: httpx.AsyncClient, size: int, rounds: int = 200) -> None:
    """Time inclusion and consistency proofs at `size` over HTTP."""
    inclusion, consistency, sizes = [], [], {}
    for k in range(rounds):
        index = (k * 7919) % size
        event = f"00000000-0000-4000-8000-{index:012x}"
        started = time.perf_counter()
        body = (
            await client.get("proofs/inclusion", params={"event_id": event, "size": size})
        ).json()
        inclusion.append(time.perf_counter() - started)
        sizes["inclusion"] = len(body["proof"])
        started = time.perf_counter()
        old = 1 + (k * 104729) % size
        body = (await client.get("proofs/consistency", params={"old": old, "new": size})).json()
        consistency.append(time.perf_counter() - started)
        sizes["consistency"] = max(sizes.get("consistency", 0), len(body["proof"]))
    _say(summary_ms(f"inclusion proof at {size:,} (HTTP)", inclusion))
    _say(summary_ms(f"consistency proof at {size:,} (HTTP)", consistency))
    _say(
        f"proof sizes: inclusion {sizes['inclusion']} hashes ({32 * sizes['inclusion']} bytes), "
        f"consistency up to {sizes['consistency']} hashes ({32 * sizes['consistency']} bytes)"
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def full_verify(
    client: httpx.AsyncClient, verifier: note.Verifier, state: Path, server: int, label: str
) -> float:
    """Seconds for the verifier to check every entry of the log (from no state file)."""
    state.unlink(missing_ok=True)  # noqa: ASYNC240 - once, before the timing
    served, own = _cpu_seconds(server), time.process_time()
    started = time.perf_counter()
    report = await verify(client, Request(verifier, state))
    elapsed = time.perf_counter() - started
    _say(
        f"heard audit verify ({label}): {report.entries_checked:,} entries in {elapsed:.2f} s "
        f"(CPU: verifier {time.process_time() - own:.2f} s, API "
        f"{_cpu_seconds(server) - served:.2f} s; load average {os.getloadavg()[0]:.1f})"
    )
    return elapsed


async def run(entries: int, database_url: str | None, directory: Path) -> None:
    """The whole benchmark."""
    keyring = directory / "keyring.json"
    url = database_url or f"sqlite:///{directory / 'audit.db'}"
    fresh = not keyring.exists()
    if fresh:
        init_keyring_file(keyring)
        ensure_issuer_files(directory)  # the API's staff sign-in needs the issuer's keys
    upgrade(url, SPEC.migrations)
    settings = AuditSettings(database_url=url, HEARD_KEYRING=keyring)
    async with open_runtime("audit", settings) as runtime:
        if fresh:
            await _build(runtime, settings, entries)
        verifier = log_verifier(runtime, settings)
    port = free_port()
    server = _serve(settings, port)
    try:
        base = f"http://127.0.0.1:{port}/log/"
        limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            await _wait_up(client)
            size = await _size(client, verifier)
            await proofs(client, size)
            for label in ("API just started", "API's tile cache warm"):
                await full_verify(client, verifier, directory / "state.json", server.pid, label)
    finally:
        server.terminate()
        server.wait()


async def _size(client: httpx.AsyncClient, verifier: note.Verifier) -> int:
    return note.open_checkpoint((await client.get("checkpoint")).text, verifier).size


async def _build(runtime: Runtime, settings: AuditSettings, entries: int) -> None:
    """Fill the log with `entries` made-up entries and integrate them."""
    filled = await fill(runtime, entries)
    _say(f"fill: {entries:,} rows in {filled:.1f} s ({entries / filled:,.0f} rows/s)")
    took = await integrate_everything(runtime, settings)
    _say(
        f"integrate: {entries:,} entries in {took:.1f} s ({entries / took:,.0f} entries/s, "
        f"batches of {settings.integrate_batch:,}, one signed checkpoint each)"
    )


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--directory", type=Path, help="keep (and reuse) the log here")
    args = parser.parse_args()
    if args.directory is not None:
        args.directory.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args.entries, args.database_url, args.directory))
        return
    # Under the repository's var/, not /tmp: a million entries take about 1 GB on SQLite.
    var = Path(__file__).resolve().parent.parent / "var"
    var.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-audit-", dir=var) as directory:
        asyncio.run(run(args.entries, args.database_url, Path(directory)))


if __name__ == "__main__":
    main()
