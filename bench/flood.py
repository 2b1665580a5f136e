"""A flood of complaint forms against the portal while a child submits one a second.

    python -m bench.flood --rate 1000 --seconds 10

Serves the real intake app (uvicorn, SQLite, fresh keyring, default limits) in its own
process. The flood: `--clients` connections, each from its own loopback address
(127.0.x.y, so per-client limits see that many clients, as a botnet would look), posting
complete forms without proof of work at `--rate` a second in total (open loop: a late
connection sends at once). A child, once a second (each from an address of its own), fetches
the form, does the proof of work as pow.js would, and posts it. Prints what the flood got
(by status), the rate the server answered at, and the child's latency per submission; the
goal is every child submission answered 200 within a second.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import secrets
import tempfile
import time
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from urllib.parse import urlencode

from bench.stats import summary_ms
from services.intake.local_portal import local_portal
from services.intake.pow import solve

FORM = "/en/tell/teen"
FIELD = re.compile(rb'name="(csrf|form_token|pow_challenge)" value="([^"]*)"')
BITS = re.compile(rb'data-pow-bits="([0-9]+)"')


def _serve(folder: str, ready: Queue[str], stop: EventType) -> None:
    with local_portal(Path(folder)) as portal:
        ready.put(portal.url)
        stop.wait()


class Connection:
    """One keep-alive HTTP/1.1 connection from one source address."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source, self.cookie = port, source, ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request; its status and body."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.source, 0)
            )
        head = f"{method} {path} HTTP/1.1\r\nHost: portal\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
        if self.cookie:
            head += f"Cookie: {self.cookie}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        return await self._response()

    async def _response(self) -> tuple[int, bytes]:
        assert self.reader is not None  # noqa: S101 - set by request()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            if name.lower() == "set-cookie" and value.strip().startswith("heard_csrf="):
                self.cookie = value.strip().split(";")[0]
        return int(lines[0].split()[1]), await self.reader.readexactly(length)

    async def form(self, work: bool) -> bytes:
        """A complete complaint form, with the proof of work done if `work`."""
        _, page = await self.request("GET", FORM)
        fields = {k.decode(): v.decode() for k, v in FIELD.findall(page)}
        found = BITS.search(page)
        if work and found:
            fields["pow_nonce"] = solve(fields["pow_challenge"], int(found.group(1)))
        fields |= {"narrative": "flood " + secrets.token_hex(4), "in_danger": "no"}
        return urlencode(fields).encode()


async def _flooder(conn: Connection, interval: float, until: float, seen: Counter[int]) -> None:
    body = await conn.form(work=False)  # one form, replayed: the cheapest flood there is
    due = time.monotonic()
    while due < until:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        try:
            status, _ = await conn.request("POST", FORM, body)
        except (OSError, asyncio.IncompleteReadError):
            status, conn.writer = 0, None
        seen[status] += 1
        due += interval


async def _child(port: int, until: float, latencies: list[float], statuses: Counter[int]) -> None:
    while time.monotonic() < until:
        # A new child each second (one child sends one complaint, not one a second).
        conn = Connection(port, f"127.0.200.{1 + len(latencies) % 250}")
        started = time.perf_counter()
        body = await conn.form(work=True)
        status, _ = await conn.request("POST", FORM, body)
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
        await asyncio.sleep(1.0)


async def _run(port: int, args: argparse.Namespace) -> None:
    sources = [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(args.clients)]
    seen: Counter[int] = Counter()
    child: Counter[int] = Counter()
    latencies: list[float] = []
    started = time.monotonic()
    until = started + args.seconds
    interval = args.clients / args.rate
    tasks = [_flooder(Connection(port, s), interval, until, seen) for s in sources]
    await asyncio.gather(*tasks, _child(port, until, latencies, child))
    elapsed = time.monotonic() - started
    total = sum(seen.values())
    print(f"flood offered {args.rate}/s from {args.clients} addresses for {args.seconds} s")
    print(f"flood answered {total} in {elapsed:.1f} s = {total / elapsed:.0f}/s; by status:")
    for status, count in sorted(seen.items()):
        print(f"  {status}: {count}")
    print(f"child: {sum(child.values())} submissions, statuses {dict(child)}")
    print(summary_ms("child latency (form + work + post)", latencies))
    print("child, each in order (ms):", " ".join(f"{x * 1000:.0f}" for x in latencies))
    print(f"child within 1 s: {sum(x <= 1.0 for x in latencies)}/{len(latencies)}")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="flood submissions/s")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=250, help="flooding addresses")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as folder:
        server = context.Process(target=_serve, args=(folder, ready, stop), daemon=True)
        server.start()
        url = ready.get(timeout=60)
        try:
            asyncio.run(_run(int(url.rsplit(":", 1)[1]), args))
        finally:
            stop.set()
            server.join(timeout=10)


if __name__ == "__main__":
    main()
