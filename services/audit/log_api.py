"""The log as a C2SP tiled transparency log under `/log`, public, plus convenience proofs.

    GET /log/checkpoint                  the latest signed checkpoint (text/plain)
    GET /log/key                         the log's verifier key, <name>+<hash>+<key>
    GET /log/tile/<L>/<N>[.p/<W>]        hashes of tree level 8L (application/octet-stream)
    GET /log/tile/entries/<N>[.p/<W>]    the entries, uint16-length-prefixed
    GET /log/proofs/inclusion?event_id=&size=    JSON: the event's entry, index and proof
    GET /log/proofs/commitment?commitment=&size= JSON: a receipt commitment's index and proof
    GET /log/proofs/consistency?old=&new=        JSON: the proof between two tree sizes

Everything here is hashes and opaque ids, so the log is public: oversight bodies read it with
standard tlog clients (Go's sumdb/tlog, Sunlight's, the witness network) and no account.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit import tiles
from services.audit.errors import BadProofRange, CommitmentNotLogged, EventNotLogged, TreeTooSmall
from services.audit.integrator import log_verifier
from services.audit.settings import AuditSettings
from services.audit.tile_cache import TileReader
from services.audit.tree_db import (
    cosignatures,
    entries_at,
    latest_checkpoint,
    position_of_event,
    position_of_leaf,
    read_nodes,
)
from shared.runtime import Runtime
from shared.tlog import merkle
from shared.tlog.commitment import commitment_leaf

router = APIRouter(prefix="/log", tags=["transparency log"])
IMMUTABLE = "public, max-age=31536000, immutable"
MUTABLE = "public, max-age=2"
MAX_SIZE = (1 << 63) - 1
TEXT = "text/plain; charset=utf-8"
Size = Annotated[int, Query(ge=1, le=MAX_SIZE)]


class InclusionProof(BaseModel):
    """Proof that an event's entry is leaf `index` of the tree of `size` entries."""

    event_id: uuid.UUID
    index: int
    size: int
    entry: str
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProof(BaseModel):
    """Proof that the tree of `old` entries is a prefix of the tree of `new` entries."""

    old: int
    new: int
    old_root: str
    new_root: str
    proof: list[str]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _signed_size(session: AsyncSession) -> int:
    latest = await latest_checkpoint(session)
    return latest.size if latest is not None else 0


@router.get("/checkpoint", response_class=Response)
async def checkpoint(request: Request) -> Response:
    """The latest checkpoint, as a signed note with the witnesses' cosignatures."""
    async with _runtime(request).sessions() as session:
        latest = await latest_checkpoint(session)
        if latest is None:
            raise TreeTooSmall("no checkpoint yet")
        lines = await cosignatures(session, latest.size)
    text = latest.note + "".join(lines)
    return Response(text, media_type=TEXT, headers={"Cache-Control": MUTABLE})


@router.get("/key", response_class=Response)
async def key(request: Request) -> Response:
    """The verifier key oversight bodies pin: `<origin>+<key id>+<Ed25519 key>`."""
    settings: AuditSettings = request.app.state.audit_settings
    text = log_verifier(_runtime(request), settings).encode() + "\n"
    return Response(text, media_type=TEXT, headers={"Cache-Control": MUTABLE})


class SignedSize:
    """The signed tree size this process last read: tiles within it need no query for it.

    The tree only grows, so a stale value can only refuse a tile, never serve one wrongly;
    a tile beyond it makes the route read the size again.
    """

    def __init__(self) -> None:
        self.size = 0

    async def covers(self, session: AsyncSession, leaves: int) -> bool:
        """Whether the signed tree holds `leaves` leaves (re-reading the size if needed)."""
        if leaves > self.size:
            self.size = await _signed_size(session)
        return leaves <= self.size


# Documented, not enforced here: `tiles.parse_tile` refuses any other path with a 400.
TILE_PATH = {"pattern": tiles.TILE_PATTERN}


@router.get("/tile/{path:path}", response_class=Response)
async def tile(
    request: Request, path: Annotated[str, Path(max_length=64, json_schema_extra=TILE_PATH)]
) -> Response:
    """A hash tile or entry bundle of the signed tree (immutable once served)."""
    wanted = tiles.parse_tile(path)
    reader: TileReader = request.app.state.tile_reader
    data = await reader.read(_runtime(request), wanted, request.app.state.signed_size)
    return Response(
        data, media_type="application/octet-stream", headers={"Cache-Control": IMMUTABLE}
    )


async def _hashes(session: AsyncSession, groups: list[merkle.Group]) -> list[bytes]:
    return merkle.resolve(groups, await read_nodes(session, merkle.needed(groups)))


@router.get("/proofs/inclusion")
async def inclusion(request: Request, event_id: uuid.UUID, size: Size) -> InclusionProof:
    """The proof that the event's entry is in the signed tree of `size` entries."""
    async with _runtime(request).sessions() as session:
        if size > await _signed_size(session):
            raise TreeTooSmall(str(size))
        index = await position_of_event(session, str(event_id))
        if index is None:
            raise EventNotLogged(str(event_id))
        if index >= size:
            raise TreeTooSmall(str(size))
        groups = [((0, index),), merkle.root_group(size), *merkle.inclusion_groups(index, size)]
        leaf, root, *proof = await _hashes(session, groups)
        (entry,) = await entries_at(session, index, 1)
    return InclusionProof(
        event_id=event_id,
        index=index,
        size=size,
        entry=entry.hex(),
        leaf_hash=leaf.hex(),
        root_hash=root.hex(),
        proof=[p.hex() for p in proof],
    )


class CommitmentProof(BaseModel):
    """Proof that a commitment's leaf is leaf `index` of the tree of `size` entries."""

    index: int
    size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


Commitment = Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]


@router.get("/proofs/commitment")
async def commitment_inclusion(
    request: Request, commitment: Commitment, size: Size
) -> CommitmentProof:
    """The proof that a receipt's commitment is in the signed tree of `size` entries."""
    leaf = commitment_leaf(bytes.fromhex(commitment)).hex()
    async with _runtime(request).sessions() as session:
        if size > await _signed_size(session):
            raise TreeTooSmall(str(size))
        index = await position_of_leaf(session, leaf)
        if index is None or index >= size:
            raise CommitmentNotLogged(str(size))
        groups = [merkle.root_group(size), *merkle.inclusion_groups(index, size)]
        root, *proof = await _hashes(session, groups)
    return CommitmentProof(
        index=index,
        size=size,
        leaf_hash=leaf,
        root_hash=root.hex(),
        proof=[p.hex() for p in proof],
    )


@router.get("/proofs/consistency")
async def consistency(request: Request, old: Size, new: Size) -> ConsistencyProof:
    """The proof that the signed tree of `old` entries is a prefix of that of `new`."""
    if old > new:
        raise BadProofRange(f"{old} > {new}")
    async with _runtime(request).sessions() as session:
        if new > await _signed_size(session):
            raise TreeTooSmall(str(new))
        groups = [merkle.root_group(old), merkle.root_group(new)]
        old_root, new_root, *proof = await _hashes(
            session, [*groups, *merkle.consistency_groups(old, new)]
        )
    return ConsistencyProof(
        old=old,
        new=new,
        old_root=old_root.hex(),
        new_root=new_root.hex(),
        proof=[p.hex() for p in proof],
    )
