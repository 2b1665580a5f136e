"""Open-loop load for the benchmarks: complaints posted at a fixed rate over kept-alive
HTTP/1.1 connections, with requests encoded once and responses parsed by hand.

httpx costs about a millisecond of CPU per request; at hundreds of requests a second on a
two-core machine that would be the load generator measuring itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Sent:
    """One submission: when it was sent (wall clock), what came back, how long it took."""

    sent_at: float
    status: int
    complaint_id: str | None
    seconds: float


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = await self.reader.readexactly(length)
        return int(status_line.split()[1]), body


class RawPoster:
    """POSTs JSON bodies to one URL over a pool of kept-alive connections."""

    def __init__(self, url: str, connections: int = 32) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path
        self._size = connections
        self._idle: asyncio.Queue[_Connection] = asyncio.Queue()
        self._all: list[_Connection] = []

    async def __aenter__(self) -> RawPoster:
        for _ in range(self._size):
            reader, writer = await asyncio.open_connection(self._host, self._port)
            connection = _Connection(reader, writer)
            self._all.append(connection)
            self._idle.put_nowait(connection)
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self._all:
            connection.writer.close()

    def encode(self, body: Mapping[str, Any]) -> bytes:
        """The whole request for `body`, ready to write."""
        payload = json.dumps(body).encode()
        head = (
            f"POST {self._path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        return head.encode() + payload

    async def post(self, request: bytes) -> Sent:
        """Send one encoded request on an idle connection."""
        connection = await self._idle.get()
        sent_at, started = time.time(), time.perf_counter()
        try:
            status, body = await connection.post(request)
        finally:
            self._idle.put_nowait(connection)
        complaint = json.loads(body).get("complaint_id") if status == 201 else None
        return Sent(sent_at, status, complaint, time.perf_counter() - started)


async def post_at_rate(poster: RawPoster, requests: list[bytes], rate: float) -> list[Sent]:
    """Send request i at start + i / rate (open loop: a slow answer delays nothing)."""
    start = time.monotonic()
    tasks: list[asyncio.Task[Sent]] = []
    for number, request in enumerate(requests):
        delay = start + number / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(poster.post(request)))
    return list(await asyncio.gather(*tasks))
