"""The tree's tables: stored complete subtrees and signed checkpoints. Both only grow.

`audit_tree_node` holds node (level, index) of shared.tlog.merkle: every leaf hash and
every complete subtree above it, written once by the integrator in the transaction that
signs the checkpoint covering them. So every stored node is under the latest checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Integer, LargeBinary, SmallInteger, Text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.db import AuditLogEntry
from shared.db.types import UTCDateTime
from shared.tlog.merkle import Node

_BIG = BigInteger().with_variant(Integer(), "sqlite")
# SQLite and PostgreSQL both cap bound parameters per statement; reads are chunked below it.
_CHUNK = 500


class TreeNode(SQLModel, table=True):
    """The hash of the complete subtree `index` at `level` (level 0: a leaf hash)."""

    __tablename__ = "audit_tree_node"

    level: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    node_index: int = Field(sa_column=Column(_BIG, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))


class SignedCheckpoint(SQLModel, table=True):
    """A checkpoint the log signed, as the signed note it served (cosignatures added later)."""

    __tablename__ = "audit_checkpoint"

    size: int = Field(sa_column=Column(_BIG, primary_key=True, autoincrement=False))
    root_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    signed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Cosignature(SQLModel, table=True):
    """A witness's cosignature line on the checkpoint of `size`."""

    __tablename__ = "audit_cosignature"

    size: int = Field(sa_column=Column(_BIG, primary_key=True, autoincrement=False))
    witness: str = Field(primary_key=True, max_length=256)
    line: str = Field(sa_column=Column(Text, nullable=False))


async def cosignatures(session: AsyncSession, size: int) -> list[str]:
    """The cosignature lines collected for the checkpoint of `size`, by witness name."""
    query = select(Cosignature.line).where(Cosignature.size == size)
    return list((await session.exec(query.order_by(col(Cosignature.witness)))).all())


async def latest_checkpoint(session: AsyncSession) -> SignedCheckpoint | None:
    """The checkpoint of the largest tree signed so far."""
    query = select(SignedCheckpoint).order_by(col(SignedCheckpoint.size).desc()).limit(1)
    return (await session.exec(query)).first()


async def checkpoint_at(session: AsyncSession, size: int) -> SignedCheckpoint | None:
    """The checkpoint signed for a tree of exactly `size` entries, if one was."""
    return await session.get(SignedCheckpoint, size)


async def read_nodes(session: AsyncSession, nodes: Iterable[Node]) -> dict[Node, bytes]:
    """The stored hashes of `nodes` (those not stored are absent from the answer)."""
    by_level: dict[int, list[int]] = {}
    for level, index in set(nodes):
        by_level.setdefault(level, []).append(index)
    found: dict[Node, bytes] = {}
    for level, indexes in by_level.items():
        # One level at a time: `level = ? AND node_index IN (...)` walks the primary key,
        # where a row-value IN would scan the table on SQLite.
        for start in range(0, len(indexes), _CHUNK):
            query = select(TreeNode).where(
                TreeNode.level == level,
                col(TreeNode.node_index).in_(indexes[start : start + _CHUNK]),
            )
            found.update(((r.level, r.node_index), r.hash) for r in await session.exec(query))
    return found


async def read_level(session: AsyncSession, level: int, first: int, count: int) -> list[bytes]:
    """Up to `count` consecutive stored hashes at `level`, from index `first`."""
    query = (
        select(TreeNode.hash)
        .where(TreeNode.level == level)
        .where(col(TreeNode.node_index) >= first, col(TreeNode.node_index) < first + count)
        .order_by(col(TreeNode.node_index))
    )
    return list((await session.exec(query)).all())


async def write_nodes(session: AsyncSession, nodes: Mapping[Node, bytes]) -> None:
    """Store newly completed nodes (one multi-row insert)."""
    rows = [{"level": lv, "node_index": i, "hash": h} for (lv, i), h in nodes.items()]
    if rows:
        await session.exec(sa.insert(TreeNode), params=rows)


async def entries_from(
    session: AsyncSession, start: int, limit: int
) -> list[tuple[bytes, str | None]]:
    """(entry, event type) at positions start, start + 1, ... (at most `limit`), up to a gap."""
    query = (
        select(AuditLogEntry.position, AuditLogEntry.entry_hash, AuditLogEntry.type)
        .where(col(AuditLogEntry.position) >= start)
        .order_by(col(AuditLogEntry.position))
        .limit(limit)
    )
    entries: list[tuple[bytes, str | None]] = []
    for position, entry, kind in (await session.exec(query)).all():
        if position != start + len(entries) or entry is None:
            break
        entries.append((bytes.fromhex(entry), kind))
    return entries


async def entries_at(session: AsyncSession, first: int, count: int) -> list[bytes]:
    """The entries at positions first .. first + count - 1 (fewer if the log is shorter)."""
    query = (
        select(AuditLogEntry.entry_hash)
        .where(col(AuditLogEntry.position) >= first)
        .where(col(AuditLogEntry.position) < first + count)
        .order_by(col(AuditLogEntry.position))
    )
    return [bytes.fromhex(e) for e in (await session.exec(query)).all() if e is not None]


async def entries_by_position(session: AsyncSession, first: int, count: int) -> dict[int, bytes]:
    """position -> entry for positions first .. first + count - 1 that have one."""
    query = (
        select(AuditLogEntry.position, AuditLogEntry.entry_hash)
        .where(col(AuditLogEntry.position) >= first)
        .where(col(AuditLogEntry.position) < first + count)
    )
    rows = (await session.exec(query)).all()
    return {position: bytes.fromhex(entry) for position, entry in rows if entry is not None}


async def position_of_event(session: AsyncSession, event_id: str) -> int | None:
    """The first position whose entry carries `event_id`, if any."""
    query = select(sa.func.min(col(AuditLogEntry.position))).where(
        AuditLogEntry.event_id == event_id
    )
    position: int | None = (await session.exec(query)).one()
    return position


async def position_of_leaf(session: AsyncSession, leaf_hash: str) -> int | None:
    """The first position whose leaf hash is `leaf_hash` (hex), if any."""
    query = select(sa.func.min(col(AuditLogEntry.position))).where(
        AuditLogEntry.leaf_hash == leaf_hash
    )
    position: int | None = (await session.exec(query)).one()
    return position
