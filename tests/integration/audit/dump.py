"""Copy what the log serves over HTTP into a directory laid out like its URLs."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.audit import tiles


def write(target: Path, data: bytes) -> None:
    """Write `data` to `target`, making its folders."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


async def _save(client: httpx.AsyncClient, url: str, target: Path) -> None:
    response = await client.get(url)
    response.raise_for_status()
    write(target, response.content)


async def dump_tree(client: httpx.AsyncClient, directory: Path, size: int) -> None:
    """Save the checkpoint of `size` (the latest) and every tile a tree of `size` has."""
    await _save(client, "/log/key", directory / "key")
    await _save(client, "/log/checkpoint", directory / "checkpoint" / str(size))
    levels: list[int | None] = [None, *range(8)]
    for level in levels:
        for tile in tiles.tiles_for(size, level):
            target = directory / "tile" / tile.path()
            if not target.exists():
                await _save(client, f"/log/tile/{tile.path()}", target)
