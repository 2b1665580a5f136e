"""Tiles served from memory once read, full ones read 16 at a time, never beyond the tree."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit import tiles
from services.audit.errors import TileNotFound
from services.audit.integrator import integrate_all
from services.audit.log_api import SignedSize
from services.audit.settings import AuditSettings
from services.audit.tile_cache import TileCache, TileReader
from shared.runtime import Runtime
from tests.unit.audit.support import append_entries, entry_of


class Counting:
    """`runtime` whose sessions are counted (each tile read opens one)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime, self.opened = runtime, 0

    @asynccontextmanager
    async def sessions(self) -> AsyncIterator[AsyncSession]:
        self.opened += 1
        async with self.runtime.sessions() as session:
            yield session


def test_the_cache_keeps_the_most_recently_served_within_its_budget() -> None:
    cache = TileCache(budget=100)
    cache.put("a", b"x" * 40)
    cache.put("b", b"y" * 40)
    assert cache.get("a") == b"x" * 40  # a is now the most recent
    cache.put("c", b"z" * 40)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"x" * 40, None, b"z" * 40)
    cache.put("huge", b"h" * 101)
    assert cache.get("huge") is None


@pytest.fixture
async def logged(runtime: Runtime, settings: AuditSettings) -> Runtime:
    await append_entries(runtime, 0, 20 * 256 + 3)
    await integrate_all(runtime, settings)
    return runtime


async def test_concurrent_requests_for_one_chunk_share_one_read(logged: Runtime) -> None:
    counting, reader, signed = Counting(logged), TileReader(), SignedSize()
    wanted = [tiles.Tile(None, n) for n in range(16)]
    runtime: Any = counting
    served = await asyncio.gather(*(reader.read(runtime, t, signed) for t in wanted))
    assert counting.opened == 1
    assert tiles.unbundle(served[5]) == [entry_of(p) for p in range(5 * 256, 6 * 256)]
    assert await reader.read(runtime, tiles.Tile(None, 7), signed) == served[7]
    assert counting.opened == 1  # from the cache
    leaves = await reader.read(runtime, tiles.Tile(0, 17), signed)
    assert len(leaves) == 256 * 32
    assert counting.opened == 2  # the next chunk of level 0: tiles 16 to 19


async def test_nothing_beyond_the_signed_tree_is_served(logged: Runtime) -> None:
    reader, signed = TileReader(), SignedSize()
    partial = await reader.read(logged, tiles.Tile(None, 20, 3), signed)
    assert tiles.unbundle(partial) == [entry_of(p) for p in range(20 * 256, 20 * 256 + 3)]
    for beyond in (tiles.Tile(None, 21), tiles.Tile(None, 20, 4), tiles.Tile(1, 0)):
        with pytest.raises(TileNotFound):
            await reader.read(logged, beyond, signed)
