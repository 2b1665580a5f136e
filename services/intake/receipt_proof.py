"""The child's receipt: a C2SP tlog-proof that their complaint's commitment is in the audit log.

Intake reads the log like any client of it, over its public tlog API (`INTAKE_LOG_URL`): the
latest checkpoint with its witness cosignatures, and the inclusion proof of the commitment's
leaf in that tree. It adds the commitment's opening (complaint id, submission time, salt),
which it keeps sealed under the child's code, as the proof's extra data; and before handing
the receipt over it verifies it as `heard receipt verify` would, against the configured log
and witness keys. A receipt asked for before the log signed and a witness cosigned a tree
holding the commitment is "not ready yet" (a few seconds after submitting).
"""

from __future__ import annotations

import httpx
from starlette.requests import Request

from services.intake import store
from services.intake.errors import ReceiptNotReady
from services.intake.handlers import Keys, opening_of_receipt
from services.intake.settings import IntakeSettings
from shared.runtime import Runtime
from shared.tlog import cosign, note
from shared.tlog.errors import BadCheckpoint, ReceiptRefused
from shared.tlog.proof import TlogProof
from shared.tlog.receipt import Opening, verify

FILE_NAME = "heard-receipt.tlog-proof"


async def _get(client: httpx.AsyncClient, url: str, **params: str | int) -> httpx.Response:
    try:
        response = await client.get(url, params=params)
    except httpx.HTTPError:
        raise ReceiptNotReady("log unreachable") from None
    if response.status_code != 200:
        raise ReceiptNotReady(f"log answered {response.status_code}")
    return response


def _size(signed: str) -> int:
    try:
        return note.parse_checkpoint(note.split(signed)[0]).size
    except BadCheckpoint:
        raise ReceiptNotReady("checkpoint unreadable") from None


async def build_receipt(client: httpx.AsyncClient, log_url: str, opening: Opening) -> str:
    """The tlog-proof text proving `opening`'s commitment is in the log's latest tree."""
    base = log_url.rstrip("/")
    signed = (await _get(client, f"{base}/checkpoint")).text
    commitment = opening.commitment().hex()
    answer = await _get(
        client, f"{base}/proofs/commitment", commitment=commitment, size=_size(signed)
    )
    found = answer.json()
    proof = TlogProof(
        index=int(found["index"]),
        proof=tuple(bytes.fromhex(h) for h in found["proof"]),
        checkpoint=signed,
        extra=opening.encode(),
    )
    return proof.encode()


def check(text: str, log_key: str | None, witness_keys: list[str]) -> None:
    """Verify the receipt as its holder will. Without configured keys (development), at
    least insist on a cosignature line beside the log's signature."""
    if log_key is None:
        if len(note.split(text.partition("\n\n")[2])[1]) < 2:
            raise ReceiptNotReady("no witness cosigned the checkpoint yet")
        return
    witnesses = [cosign.parse_verifier_key(key) for key in witness_keys]
    try:
        verify(text, note.parse_verifier(log_key), witnesses)
    except ReceiptRefused as refused:
        raise ReceiptNotReady(refused.reason) from None


async def receipt_for(request: Request, code: str) -> str:
    """The verified receipt of the complaint `code` opens; ReceiptNotReady if there is none
    yet (or, for an old-form code, none at all)."""
    state = request.app.state
    runtime: Runtime = state.runtime
    keys: Keys = state.keys
    settings: IntakeSettings = state.pages.settings
    async with runtime.sessions() as session:
        row = await store.find_receipt(session, keys.receipts, code)
    if row is None:
        raise ReceiptNotReady("no commitment for this code")
    opening = opening_of_receipt(keys.receipts, row, code)
    transport = getattr(state, "log_transport", None)  # tests reach the log in-process
    async with httpx.AsyncClient(transport=transport, timeout=10) as client:
        text = await build_receipt(client, settings.log_url, opening)
    check(text, settings.log_key, settings.witness_keys)
    return text
