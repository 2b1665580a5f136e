"""The log's side of c2sp.org/tlog-witness: submit each new checkpoint to the configured
witnesses with a consistency proof from the size each last cosigned, check the cosignatures
that come back and keep them, so `/log/checkpoint` carries them."""

from __future__ import annotations

import base64
import logging

import httpx

from services.audit.settings import AuditSettings, WitnessRef
from services.audit.tree_db import Cosignature, SignedCheckpoint, read_nodes
from shared.runtime import Runtime
from shared.tlog import cosign, merkle
from shared.tlog.errors import BadCheckpoint

log = logging.getLogger("heard.audit")
Known = dict[str, int]


async def _proof(runtime: Runtime, old: int, new: int) -> list[bytes]:
    groups = merkle.consistency_groups(old, new) if old else []
    async with runtime.sessions() as session:
        return merkle.resolve(groups, await read_nodes(session, merkle.needed(groups)))


def _body(old: int, proof: list[bytes], signed: str) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(p).decode() for p in proof)]
    return ("\n".join(lines) + "\n\n" + signed).encode()


async def _submit(
    client: httpx.AsyncClient, runtime: Runtime, ref: WitnessRef, signed: SignedCheckpoint, old: int
) -> httpx.Response:
    proof = await _proof(runtime, old, signed.size)
    url = ref.url.rstrip("/") + "/add-checkpoint"
    return await client.post(url, content=_body(old, proof, signed.note))


async def cosignature(
    client: httpx.AsyncClient,
    runtime: Runtime,
    ref: WitnessRef,
    signed: SignedCheckpoint,
    known: Known,
) -> Cosignature | None:
    """Ask one witness to cosign `signed`; its verified cosignature, or None if refused."""
    name, public = cosign.parse_verifier_key(ref.key)
    response = await _submit(client, runtime, ref, signed, known.get(ref.url, 0))
    if response.status_code == 409 and response.text.strip().isdigit():
        known[ref.url] = int(response.text)  # the witness says where it is; prove from there
        if known[ref.url] <= signed.size:
            response = await _submit(client, runtime, ref, signed, known[ref.url])
    if response.status_code != 200:
        log.warning(
            "witness %s refused checkpoint %d: HTTP %d", name, signed.size, response.status_code
        )
        return None
    line = response.text
    if cosign.cosigned_at(signed.note + line, name, public) is None:
        log.warning("witness %s sent a cosignature that does not verify", name)
        return None
    known[ref.url] = signed.size
    return Cosignature(size=signed.size, witness=name, line=line)


async def collect(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: AuditSettings,
    signed: SignedCheckpoint,
    known: Known,
) -> int:
    """Submit `signed` to every witness and store the cosignatures; returns how many."""
    found = []
    for ref in settings.witnesses:
        try:
            got = await cosignature(client, runtime, ref, signed, known)
        except (httpx.HTTPError, BadCheckpoint) as error:
            log.warning("witness %s: %s", ref.url, type(error).__name__)
            continue
        if got is not None:
            found.append(got)
    if found:
        async with runtime.sessions() as session:
            session.add_all(found)
            await session.commit()
    return len(found)
