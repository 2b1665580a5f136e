"""What an oversight body runs: verify the log over HTTP, trusting only its public key.

1. Fetch `<log>/checkpoint` and check the log's Ed25519 signature and origin.
2. Rebuild the root from the tiles: entry bundles where entries are to be checked (every
   one by default), level-0 tiles where only leaves are needed, level-1 tiles elsewhere.
   If it equals the signed root, every entry checked is authenticated by the signature.
3. Check the tree extends the last checkpoint this verifier saw (its state file): same
   root at the old size, never a smaller tree. A rewritten, forked or rolled-back log fails.
4. Check that each event id asked for is included (the log's proof, against the root).
Only a verified checkpoint is written to the state file. It never touches a database.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.audit import tiles
from services.audit.errors import AuditError
from shared.tlog import cosign, merkle, note
from shared.tlog.errors import BadCheckpoint

Progress = Callable[[str, int, int], None]
PARALLEL = 6


class VerificationFailed(AuditError):
    """The log does not verify; the message says how."""

    status_code = 502
    public_detail = "the log does not verify"


@dataclass
class Report:
    """What a successful run checked."""

    checkpoint: note.Checkpoint
    previous: int | None
    witnessed_by: list[str] = field(default_factory=list)
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


async def _all(tasks: list[Callable[[], Awaitable[None]]], stage: str, progress: Progress) -> None:
    """Run `tasks`, PARALLEL at a time (a new one starts as soon as one ends), with progress."""
    gate = asyncio.Semaphore(PARALLEL)
    done = 0

    async def run(task: Callable[[], Awaitable[None]]) -> None:
        nonlocal done
        async with gate:
            await task()
        done += 1
        if done % PARALLEL == 0 or done == len(tasks):
            progress(stage, done, len(tasks))

    await asyncio.gather(*(run(t) for t in tasks))


async def _tile(client: httpx.AsyncClient, tile: tiles.Tile) -> bytes:
    return (await _get(client, f"tile/{tile.path()}")).content


async def fetch_checkpoint(
    client: httpx.AsyncClient, verifier: note.Verifier
) -> tuple[str, note.Checkpoint]:
    """The log's current signed note and the checkpoint in it, once the signature checks."""
    text = (await _get(client, "checkpoint")).text
    try:
        return text, note.open_checkpoint(text, verifier)
    except BadCheckpoint as error:
        raise VerificationFailed(f"checkpoint: {error}") from None


def _hashes(raw: bytes, tile: tiles.Tile) -> list[bytes]:
    if len(raw) != tile.width * merkle.HASH_SIZE:
        raise VerificationFailed(f"tile {tile.path()} has the wrong length")
    return [raw[i : i + merkle.HASH_SIZE] for i in range(0, len(raw), merkle.HASH_SIZE)]


def _leaves_of_bundle(raw: bytes, tile: tiles.Tile) -> list[bytes]:
    try:
        entries = tiles.unbundle(raw)
    except ValueError:
        raise VerificationFailed(f"entry bundle {tile.path()} is truncated") from None
    if len(entries) != tile.width:
        raise VerificationFailed(f"entry bundle {tile.path()} has {len(entries)} entries")
    return merkle.leaf_hashes(entries)


Nodes = list[tuple[int, bytes]]


def _bundle_nodes(raw: bytes, tile: tiles.Tile, boundaries: set[int]) -> Nodes:
    """A bundle's leaves, folded into their subtree's one hash unless a root needs them."""
    leaves = _leaves_of_bundle(raw, tile)
    if tile.width < tiles.WIDTH or _needs_leaves(tile, boundaries):
        return [(0, leaf) for leaf in leaves]
    return [(tiles.HEIGHT, merkle.subtree_root(leaves))]


@dataclass
class Plan:
    """Which tiles rebuild the tree: bundles where entries are checked, level-0 tiles where
    leaves are needed (partial blocks, the old size's block), level-1 hashes elsewhere."""

    bundles: list[tiles.Tile]
    leaf_tiles: list[tiles.Tile]
    upper: list[tiles.Tile]

    @classmethod
    def make(cls, size: int, wanted: range, boundaries: set[int]) -> Plan:
        """The plan for a tree of `size`, checking `wanted`, with roots at `boundaries`."""
        blocks = tiles.tiles_for(size, 0)
        bundles = [t for t in blocks if _overlaps(t, wanted)]
        leaf_tiles = [
            t for t in blocks if not _overlaps(t, wanted) and _needs_leaves(t, boundaries)
        ]
        covered = {t.index for t in bundles + leaf_tiles}
        wanted_upper = {n // tiles.WIDTH for n in range(len(blocks)) if n not in covered}
        upper = [t for t in tiles.tiles_for(size, 1) if t.index in wanted_upper]
        return cls([tiles.Tile(None, t.index, t.width) for t in bundles], leaf_tiles, upper)


def _overlaps(tile: tiles.Tile, wanted: range) -> bool:
    return tile.first < wanted.stop and tile.first + tile.width > wanted.start


def _needs_leaves(tile: tiles.Tile, boundaries: set[int]) -> bool:
    end = tile.first + tile.width
    return tile.width < tiles.WIDTH or any(tile.first < b < end for b in boundaries)


async def fetch_nodes(
    client: httpx.AsyncClient, size: int, plan: Plan, boundaries: set[int], progress: Progress
) -> Nodes:
    """The tree of `size` as consecutive complete subtrees, from the tiles of `plan`.

    Tiles are fetched PARALLEL at a time, and each is hashed as it arrives, while the next
    ones are on their way; a full bundle is folded at once into its subtree's hash.
    """
    parts: dict[int, Nodes] = {}  # by level-0 tile index
    covered = {t.index for t in plan.bundles + plan.leaf_tiles}

    async def bundle(tile: tiles.Tile) -> None:
        parts[tile.index] = _bundle_nodes(await _tile(client, tile), tile, boundaries)

    async def leaf_tile(tile: tiles.Tile) -> None:
        parts[tile.index] = [(0, leaf) for leaf in _hashes(await _tile(client, tile), tile)]

    async def upper(tile: tiles.Tile) -> None:
        for offset, node in enumerate(_hashes(await _tile(client, tile), tile)):
            if tile.first + offset not in covered:
                parts[tile.first + offset] = [(tiles.HEIGHT, node)]

    tasks: list[Callable[[], Awaitable[None]]] = [
        *(functools.partial(bundle, t) for t in plan.bundles),
        *(functools.partial(leaf_tile, t) for t in plan.leaf_tiles),
        *(functools.partial(upper, t) for t in plan.upper),
    ]
    await _all(tasks, "tiles", progress)
    try:
        return [node for block in tiles.tiles_for(size, 0) for node in parts[block.index]]
    except KeyError:
        raise VerificationFailed("the tiles do not cover the signed tree") from None


async def locate(client: httpx.AsyncClient, plan: Plan) -> str:
    """Why the rebuilt root differs: the first entry whose leaf the log's tile disagrees with."""
    for bundle in plan.bundles:
        leaf_tile = tiles.Tile(0, bundle.index, bundle.width)
        served = _hashes((await _get(client, f"tile/{leaf_tile.path()}")).content, leaf_tile)
        leaves = _leaves_of_bundle((await _get(client, f"tile/{bundle.path()}")).content, bundle)
        for offset, (leaf, tile_leaf) in enumerate(zip(leaves, served, strict=True)):
            if leaf != tile_leaf:
                return f"; entry {bundle.first + offset} does not match the log's leaf"
    return ""


def check_history(
    checkpoint: note.Checkpoint, roots: dict[int, bytes], seen: note.Checkpoint | None
) -> None:
    """The tree extends the last checkpoint seen (its root at the old size is the same)."""
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


async def check_event(
    client: httpx.AsyncClient, event_id: str, checkpoint: note.Checkpoint
) -> None:
    """The event's entry is in the signed tree: the log's inclusion proof verifies."""
    params = {"event_id": event_id, "size": str(checkpoint.size)}
    try:
        response = await client.get("proofs/inclusion", params=params)
        if response.status_code != 200:
            raise VerificationFailed(
                f"event {event_id}: not in the log (HTTP {response.status_code})"
            )
        body = response.json()
        index, entry = int(body["index"]), bytes.fromhex(body["entry"])
        proof = [bytes.fromhex(h) for h in body["proof"]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise VerificationFailed(f"event {event_id}: the log's answer is malformed") from None
    leaf = merkle.leaf_hash(entry)
    if not merkle.verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root):
        raise VerificationFailed(f"event {event_id}: the inclusion proof does not verify")


def check_cosignatures(signed: str, witnesses: tuple[str, ...]) -> list[str]:
    """The names of `witnesses` (cosigner keys), once each has cosigned the served checkpoint.

    A log showing another history to this reader than to the witnesses cannot have it
    cosigned by them: requiring their cosignatures is what makes a split view fail here.
    """
    names = []
    for witness in witnesses:
        try:
            name, public = cosign.parse_verifier_key(witness)
        except BadCheckpoint as error:
            raise VerificationFailed(f"--witness: {error}") from None
        if cosign.cosigned_at(signed, name, public) is None:
            raise VerificationFailed(f"the checkpoint carries no valid cosignature of {name}")
        names.append(name)
    return names


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
    witnesses: tuple[str, ...] = ()  # cosigner keys whose cosignature the checkpoint must carry


async def _rebuild(
    client: httpx.AsyncClient,
    checkpoint: note.Checkpoint,
    plan: Plan,
    sizes: set[int],
    progress: Progress,
) -> dict[int, bytes]:
    nodes = await fetch_nodes(client, checkpoint.size, plan, sizes, progress)
    roots = merkle.roots_at(nodes, sizes | {checkpoint.size})
    if roots.get(checkpoint.size) != checkpoint.root:
        why = await locate(client, plan)
        raise VerificationFailed("the entries and tiles do not hash to the signed root" + why)
    return roots


async def verify(
    client: httpx.AsyncClient, request: Request, progress: Progress = _quiet
) -> Report:
    """Verify the log `client` points at (its base URL is the log's prefix, ending in /)."""
    signed, checkpoint = await fetch_checkpoint(client, request.verifier)
    witnessed_by = check_cosignatures(signed, request.witnesses)
    seen = load_state(request.state)
    wanted = request.entries if request.entries is not None else range(checkpoint.size)
    if wanted.stop > checkpoint.size:
        raise VerificationFailed(f"the signed tree has only {checkpoint.size} entries")
    older = {seen.size} if seen is not None and seen.size <= checkpoint.size else set()
    plan = Plan.make(checkpoint.size, wanted, older)
    roots = await _rebuild(client, checkpoint, plan, older, progress)
    check_history(checkpoint, roots, seen)
    report = Report(checkpoint, seen.size if seen else None, witnessed_by, len(wanted))
    for event_id in request.events:
        await check_event(client, event_id, checkpoint)
        report.events_checked.append(event_id)
    if request.state is not None:
        save_state(request.state, checkpoint, signed)
    return report
