"""Tile paths and widths as c2sp.org/tlog-tiles defines them. Pure.

Tile `<L>/<N>` holds the hashes of tree level 8L with indexes N*256 .. N*256+255 (each the
root of 256**L leaves); `entries/<N>` the entries whose leaves are in tile `0/<N>`. A tree of
size s has full tiles and, at each level, one partial tile of width floor(s / 256**L) mod 256.
N is written in 3-digit groups, all but the last prefixed by `x`: 1234067 is x001/x234/067.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.audit.errors import BadTilePath

HEIGHT = 8
WIDTH = 1 << HEIGHT
MAX_LEVEL = 63
ENTRIES = "entries"
MAX_INDEX = (1 << 63) - 1
_LEVEL = re.compile(r"0|[1-9][0-9]?")
# What a client may ask for (documented in the API): a level up to 63 or `entries`, an index
# of at most five canonical groups, a partial width below 256.
TILE_PATTERN = (
    r"^(?:entries|[0-9]|[1-5][0-9]|6[0-3])/"
    r"(?:x(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})/(?:x[0-9]{3}/){0,3})?[0-9]{3}"
    r"(?:\.p/(?:[1-9][0-9]?|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?$"
)
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_GROUP = re.compile(r"x[0-9]{3}")
_LAST = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class Tile:
    """One tile: its level (None for an entry bundle), index and width (256 when full)."""

    level: int | None
    index: int
    width: int = WIDTH

    @property
    def tree_level(self) -> int:
        """The tree level its hashes sit at (leaves for an entry bundle)."""
        return HEIGHT * (self.level or 0)

    @property
    def first(self) -> int:
        """The index, at its tree level, of its first hash."""
        return self.index * WIDTH

    def leaves_needed(self) -> int:
        """The smallest tree size that holds every hash of this tile."""
        return (self.first + self.width) << self.tree_level

    def path(self) -> str:
        """The tile's path under `<prefix>/tile/`."""
        head = ENTRIES if self.level is None else str(self.level)
        tail = "" if self.width == WIDTH else f".p/{self.width}"
        return f"{head}/{encode_index(self.index)}{tail}"


def encode_index(index: int) -> str:
    """N as tlog-tiles writes it: 1234067 -> x001/x234/067."""
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def _width(parts: list[str]) -> tuple[list[str], int]:
    if len(parts) >= 2 and parts[-2].endswith(".p"):
        if not _WIDTH.fullmatch(parts[-1]) or int(parts[-1]) >= WIDTH:
            raise BadTilePath(parts[-1])
        return [*parts[:-2], parts[-2][:-2]], int(parts[-1])
    return parts, WIDTH


def _index(groups: list[str]) -> int:
    if not groups or len(groups) > 7 or not _LAST.fullmatch(groups[-1]):
        raise BadTilePath("index")
    if not all(_GROUP.fullmatch(g) for g in groups[:-1]):
        raise BadTilePath("index")
    index = int("".join(g.removeprefix("x") for g in groups))
    if index > MAX_INDEX >> HEIGHT or encode_index(index) != "/".join(groups):
        raise BadTilePath("index")
    return index


def parse_tile(path: str) -> Tile:
    """The tile a path under `<prefix>/tile/` names; BadTilePath if it is not canonical."""
    parts = path.split("/")
    head, rest = parts[0], parts[1:]
    if head != ENTRIES and not (_LEVEL.fullmatch(head) and int(head) <= MAX_LEVEL):
        raise BadTilePath("level")
    groups, width = _width(rest)
    return Tile(None if head == ENTRIES else int(head), _index(groups), width)


def tiles_for(size: int, level: int | None) -> list[Tile]:
    """Every tile (full, then the partial one if any) at `level` of a tree of `size`."""
    count = size >> HEIGHT * (level or 0)
    full = [Tile(level, n) for n in range(count // WIDTH)]
    partial = [Tile(level, count // WIDTH, count % WIDTH)] if count % WIDTH else []
    return full + partial


def bundle(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its length as a big-endian uint16."""
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


_HASH_ENTRY = 32
_HASH_RECORD = 2 + _HASH_ENTRY


def unbundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; ValueError if it is truncated."""
    count = len(data) // _HASH_RECORD
    if (
        len(data) == count * _HASH_RECORD
        and data[0::_HASH_RECORD] == bytes(count)
        and data[1::_HASH_RECORD] == bytes([_HASH_ENTRY]) * count
    ):  # every entry a 32-byte hash (audit's own): slice them out without a loop of parsing
        return [data[at + 2 : at + _HASH_RECORD] for at in range(0, len(data), _HASH_RECORD)]
    entries, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at : at + 2], "big")
        entry = data[at + 2 : at + 2 + length]
        if at + 2 > len(data) or len(entry) != length:
            raise ValueError("truncated entry bundle")
        entries.append(entry)
        at += 2 + length
    return entries
