"""What an oversight body runs: verify the log over HTTP, trusting only its public key.

1. Fetch `<log>/checkpoint` and check the log's Ed25519 signature and origin.
2. Fetch every level-0 tile of that tree and recompute its root from the leaves: every
   leaf hash is then authenticated by the signature.
3. Check the tree extends the last checkpoint this verifier saw (its state file): same
   root at the old size, never a smaller tree. A rewritten, forked or rolled-back log fails.
4. Fetch the entry bundles of the range asked for and check each entry hashes to its leaf;
   check that each event id asked for is included, at the index the log names.
Only a verified checkpoint is written to the state file. It never touches a database.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.audit import merkle, note, tiles
from services.audit.errors import AuditError, BadCheckpoint

Progress = Callable[[str, int, int], None]
PARALLEL = 8


class VerificationFailed(AuditError):
    """The log does not verify; the message says how."""

    status_code = 502
    public_detail = "the log does not verify"


@dataclass
class Report:
    """What a successful run checked."""

    checkpoint: note.Checkpoint
    previous: int | None
    entries_checked: int = 0
    events_checked: list[str] = field(default_factory=list)


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    try:
        response = await client.get(path)
    except httpx.HTTPError as error:
        raise VerificationFailed(f"cannot fetch {path}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise VerificationFailed(f"{path}: HTTP {response.status_code}")
    return response


async def _all(
    tasks: Iterable[Callable[[], Awaitable[bytes]]], stage: str, progress: Progress
) -> list[bytes]:
    """Run fetches PARALLEL at a time, in order, reporting progress."""
    todo = list(tasks)
    results: list[bytes] = []
    for start in range(0, len(todo), PARALLEL):
        results += await asyncio.gather(*(t() for t in todo[start : start + PARALLEL]))
        progress(stage, len(results), len(todo))
    return results


def _fetcher(client: httpx.AsyncClient, tile: tiles.Tile) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        return (await _get(client, f"tile/{tile.path()}")).content

    return fetch


async def fetch_checkpoint(
    client: httpx.AsyncClient, verifier: note.Verifier
) -> tuple[str, note.Checkpoint]:
    """The log's current signed note and the checkpoint in it, once the signature checks."""
    text = (await _get(client, "checkpoint")).text
    try:
        return text, note.open_checkpoint(text, verifier)
    except BadCheckpoint as error:
        raise VerificationFailed(f"checkpoint: {error}") from None


async def fetch_leaves(client: httpx.AsyncClient, size: int, progress: Progress) -> list[bytes]:
    """Every leaf hash of the tree of `size`, read from its level-0 tiles (not yet trusted)."""
    level0 = tiles.tiles_for(size, 0)
    data = await _all((_fetcher(client, t) for t in level0), "leaf tiles", progress)
    leaves: list[bytes] = []
    for tile, raw in zip(level0, data, strict=True):
        if len(raw) != tile.width * merkle.HASH_SIZE:
            raise VerificationFailed(f"tile {tile.path()} has the wrong length")
        leaves += [raw[i : i + merkle.HASH_SIZE] for i in range(0, len(raw), merkle.HASH_SIZE)]
    return leaves


def check_history(
    checkpoint: note.Checkpoint, roots: dict[int, bytes], seen: note.Checkpoint | None
) -> None:
    """The tree's root is signed, and the tree extends the last checkpoint seen."""
    if roots.get(checkpoint.size) != checkpoint.root:
        raise VerificationFailed("the tiles do not hash to the signed root")
    if seen is None:
        return
    if seen.origin != checkpoint.origin:
        raise VerificationFailed("the state file is for another log")
    if seen.size > checkpoint.size:
        raise VerificationFailed(
            f"rolled back: the log shows {checkpoint.size} entries, it had signed {seen.size}"
        )
    if roots.get(seen.size) != seen.root:
        raise VerificationFailed(
            f"forked: the first {seen.size} entries are not those the log signed before"
        )


async def check_entries(
    client: httpx.AsyncClient, leaves: list[bytes], wanted: range, progress: Progress
) -> int:
    """Each entry in `wanted` hashes to its authenticated leaf; returns how many were checked."""
    bundles = [
        t
        for t in tiles.tiles_for(len(leaves), None)
        if t.first < wanted.stop and t.first + t.width > wanted.start
    ]
    data = await _all((_fetcher(client, t) for t in bundles), "entry bundles", progress)
    checked = 0
    for tile, raw in zip(bundles, data, strict=True):
        try:
            entries = tiles.unbundle(raw)
        except ValueError:
            raise VerificationFailed(f"entry bundle {tile.path()} is truncated") from None
        if len(entries) != tile.width:
            raise VerificationFailed(f"entry bundle {tile.path()} has {len(entries)} entries")
        for offset, entry in enumerate(entries):
            index = tile.first + offset
            if index in wanted:
                if merkle.leaf_hash(entry) != leaves[index]:
                    raise VerificationFailed(f"entry {index} does not match its leaf")
                checked += 1
    return checked


async def check_event(
    client: httpx.AsyncClient, event_id: str, checkpoint: note.Checkpoint, leaves: list[bytes]
) -> None:
    """The event's entry is a leaf of the signed tree, and the log's own proof verifies."""
    params = {"event_id": event_id, "size": str(checkpoint.size)}
    try:
        response = await client.get("proofs/inclusion", params=params)
        body = response.json() if response.status_code == 200 else None
        if body is None:
            raise VerificationFailed(
                f"event {event_id}: not in the log (HTTP {response.status_code})"
            )
        index, entry = int(body["index"]), bytes.fromhex(body["entry"])
        proof = [bytes.fromhex(h) for h in body["proof"]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise VerificationFailed(f"event {event_id}: the log's answer is malformed") from None
    leaf = merkle.leaf_hash(entry)
    if not 0 <= index < len(leaves) or leaves[index] != leaf:
        raise VerificationFailed(f"event {event_id}: its entry is not leaf {index}")
    if not merkle.verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root):
        raise VerificationFailed(f"event {event_id}: the inclusion proof does not verify")


def load_state(path: Path | None) -> note.Checkpoint | None:
    """The last checkpoint this verifier accepted, if it kept one."""
    if path is None or not path.exists():
        return None
    state = json.loads(path.read_text())
    return note.Checkpoint(state["origin"], int(state["size"]), bytes.fromhex(state["root_hash"]))


def save_state(path: Path, checkpoint: note.Checkpoint, signed: str) -> None:
    """Remember `checkpoint` (atomically) as the last one verified."""
    state = {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root_hash": checkpoint.root.hex(),
        "checkpoint": signed,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Request:
    """What to verify: the log's key, the state file, the entries and events to check."""

    verifier: note.Verifier
    state: Path | None = None
    entries: range | None = None  # None: every entry
    events: tuple[str, ...] = ()


async def verify(
    client: httpx.AsyncClient, request: Request, progress: Progress = _quiet
) -> Report:
    """Verify the log `client` points at (its base URL is the log's prefix, ending in /)."""
    signed, checkpoint = await fetch_checkpoint(client, request.verifier)
    seen = load_state(request.state)
    leaves = await fetch_leaves(client, checkpoint.size, progress)
    sizes = {checkpoint.size} | ({seen.size} if seen else set())
    check_history(checkpoint, merkle.roots_at(leaves, sizes), seen)
    report = Report(checkpoint, seen.size if seen else None)
    wanted = request.entries if request.entries is not None else range(checkpoint.size)
    if wanted.stop > checkpoint.size:
        raise VerificationFailed(f"the signed tree has only {checkpoint.size} entries")
    report.entries_checked = await check_entries(client, leaves, wanted, progress)
    for event_id in request.events:
        await check_event(client, event_id, checkpoint, leaves)
        report.events_checked.append(event_id)
    if request.state is not None:
        save_state(request.state, checkpoint, signed)
    return report
