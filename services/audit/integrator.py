"""The integrator: folds newly logged entries into the tree and signs a checkpoint.

Every `checkpoint_interval` seconds it takes the entries logged since the last checkpoint
(up to `integrate_batch` at a time), stores the subtrees they complete, signs the new tree
head and publishes it on `audit`, all in one transaction. Two integrators racing would
both try to insert the same checkpoint row; one fails and retries on its next tick.

Audit logs its own `CheckpointSigned` events too, so a checkpoint whose new entries are only
such events is signed but not published: otherwise each publication would cause the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import SQLAlchemyError

from services.audit.settings import AuditSettings
from services.audit.tree_db import (
    SignedCheckpoint,
    entries_from,
    latest_checkpoint,
    read_nodes,
    write_nodes,
)
from services.audit.witnessing import Known, collect
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts.audit import CheckpointSigned
from shared.runtime import Runtime
from shared.telemetry import tracer
from shared.tlog import merkle, note

log = logging.getLogger("heard.audit")


def log_signing_key(runtime: Runtime) -> Ed25519PrivateKey:
    """The key that signs the log's checkpoints (audit's own signing key, for now)."""
    return runtime.keyring.signing_key("audit")


def log_verifier(runtime: Runtime, settings: AuditSettings) -> note.Verifier:
    """The log's public key in signed-note form, named by its origin."""
    return note.verifier_of(settings.log_origin, log_signing_key(runtime))


async def _grow(uow: UnitOfWork, size: int, entries: list[bytes]) -> bytes:
    """Store the nodes `entries` complete and return the new root."""
    frontier = await read_nodes(uow.session, merkle.root_group(size)) if size else {}
    new = merkle.append_nodes(size, frontier, entries)
    await write_nodes(uow.session, new)
    return merkle.resolve([merkle.root_group(size + len(entries))], {**frontier, **new})[0]


def _sign(runtime: Runtime, settings: AuditSettings, size: int, root: bytes) -> SignedCheckpoint:
    checkpoint = note.Checkpoint(settings.log_origin, size, root)
    signed = note.sign(checkpoint.body(), settings.log_origin, log_signing_key(runtime))
    return SignedCheckpoint(size=size, root_hash=root, note=signed, signed_at=utcnow())


def _published(signed: SignedCheckpoint, origin: str) -> CheckpointSigned:
    return CheckpointSigned(
        origin=origin,
        size=signed.size,
        root_hash=signed.root_hash.hex(),
        checkpoint=signed.note,
        signed_at=signed.signed_at,
    )


async def integrate(runtime: Runtime, settings: AuditSettings) -> SignedCheckpoint | None:
    """Integrate one batch of new entries and sign its checkpoint; None if nothing is new."""
    async with runtime.uow() as uow:
        last = await latest_checkpoint(uow.session)
        size = last.size if last is not None else 0
        batch = await entries_from(uow.session, size, settings.integrate_batch)
        if not batch:
            return None
        root = await _grow(uow, size, [entry for entry, _ in batch])
        signed = _sign(runtime, settings, size + len(batch), root)
        uow.session.add(signed)
        if any(kind != CheckpointSigned.type_name for _, kind in batch):
            uow.emit(_published(signed, settings.log_origin), subject=settings.log_origin)
        await uow.commit()
    return signed


async def integrate_all(runtime: Runtime, settings: AuditSettings) -> SignedCheckpoint | None:
    """Integrate batches until the tree covers every entry logged so far."""
    latest = None
    while (signed := await integrate(runtime, settings)) is not None:
        latest = signed
    return latest


async def _tick(
    runtime: Runtime, settings: AuditSettings, client: httpx.AsyncClient, known: Known
) -> None:
    with tracer().start_as_current_span("audit integrate") as span:
        signed = await integrate_all(runtime, settings)
        span.set_attribute("heard.audit.tree_size", signed.size if signed else -1)
    if signed is not None and settings.witnesses:
        await collect(client, runtime, settings, signed, known)


async def run_integrator(runtime: Runtime, settings: AuditSettings, stop: asyncio.Event) -> None:
    """Integrate, sign and get cosigned every `checkpoint_interval` seconds until `stop`."""
    known: Known = {}
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            try:
                await _tick(runtime, settings, client, known)
            except SQLAlchemyError as error:
                # Another integrator won the race, or the database is down: next tick.
                log.warning("integration failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.checkpoint_interval)
