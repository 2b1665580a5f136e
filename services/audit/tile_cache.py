"""Tiles already served, kept in memory: once inside a signed tree a tile never changes.

tlog-tiles makes every tile immutable (a partial tile `N.p/W` too: a wider one is another
path), which is why they are served with `immutable` caching. So the API keeps the most
recently served ones, up to a byte budget, and answers them again without the database.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.errors import TileNotFound
from services.audit.tiles import HEIGHT, WIDTH, Tile, bundle
from services.audit.tree_db import entries_by_position, read_level
from shared.runtime import Runtime

DEFAULT_BUDGET = 64 << 20  # 64 MiB: the entry bundles and leaf tiles of about a million entries


class TileCache:
    """Least-recently-served tiles by path, within `budget` bytes."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self._budget = budget
        self._size = 0
        self._tiles: OrderedDict[str, bytes] = OrderedDict()

    def get(self, path: str) -> bytes | None:
        """The tile at `path` if it is kept."""
        data = self._tiles.get(path)
        if data is not None:
            self._tiles.move_to_end(path)
        return data

    def put(self, path: str, data: bytes) -> None:
        """Keep the tile at `path`, dropping the least recently served beyond the budget."""
        if path in self._tiles or len(data) > self._budget:
            return
        self._tiles[path] = data
        self._size += len(data)
        while self._size > self._budget:
            _, dropped = self._tiles.popitem(last=False)
            self._size -= len(dropped)


class SignedSize(Protocol):
    """The signed tree's size as the API last read it (log_api.SignedSize)."""

    async def covers(self, session: AsyncSession, leaves: int) -> bool:
        """Whether the signed tree holds `leaves` leaves."""
        ...


CHUNK = 16  # full tiles read together: a verifier walking the log asks for the next ones


class TileReader:
    """Serves tiles from the cache, reading full ones from the database CHUNK at a time.

    Requests for tiles of one chunk that arrive while it is being read wait for that one
    read (a verifier fetches many tiles at once), so a million entries take ~250 queries,
    not ~4,000. A partial tile is read alone. Nothing beyond the signed tree is served.
    """

    def __init__(self, cache: TileCache | None = None) -> None:
        self.cache = cache or TileCache()
        self._reading: dict[tuple[int | None, int], asyncio.Future[dict[str, bytes]]] = {}

    async def read(self, runtime: Runtime, tile: Tile, signed: SignedSize) -> bytes:
        """The bytes of `tile`; TileNotFound if the signed tree does not hold it."""
        path = tile.path()
        data = self.cache.get(path)
        if data is not None:
            return data
        if tile.width < WIDTH:
            found = await self._read(runtime, tile.level, [tile], signed)
        else:
            found = await self._chunk(runtime, tile, signed)
        if path not in found:
            raise TileNotFound(path)
        return found[path]

    async def _chunk(self, runtime: Runtime, tile: Tile, signed: SignedSize) -> dict[str, bytes]:
        key = (tile.level, tile.index // CHUNK)
        pending = self._reading.get(key)
        if pending is None:
            first = key[1] * CHUNK
            wanted = [Tile(tile.level, n) for n in range(first, first + CHUNK)]
            pending = asyncio.ensure_future(self._read(runtime, tile.level, wanted, signed))
            self._reading[key] = pending
            pending.add_done_callback(lambda _: self._reading.pop(key, None))
        return await asyncio.shield(pending)

    async def _read(
        self, runtime: Runtime, level: int | None, wanted: list[Tile], signed: SignedSize
    ) -> dict[str, bytes]:
        async with runtime.sessions() as session:
            inside = [t for t in wanted if await signed.covers(session, t.leaves_needed())]
            if not inside:
                return {}
            first, stop = inside[0].first, inside[-1].first + inside[-1].width
            if level is None:
                stored = await entries_by_position(session, first, stop - first)
            else:
                hashes = await read_level(session, HEIGHT * level, first, stop - first)
                stored = dict(enumerate(hashes, start=first))
        found = {}
        for tile in inside:
            part = [stored.get(n) for n in range(tile.first, tile.first + tile.width)]
            if all(part):  # entries logged before the tree existed have none
                hashes = [h for h in part if h is not None]
                found[tile.path()] = bundle(hashes) if level is None else b"".join(hashes)
                self.cache.put(tile.path(), found[tile.path()])
        return found
