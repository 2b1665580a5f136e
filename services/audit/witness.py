"""A witness (c2sp.org/tlog-witness): cosigns a log's checkpoints only if they extend the
last one it cosigned, so a fork or a rollback of the log cannot get its cosignature.

    POST /add-checkpoint    body: "old <size>\\n" <proof lines> "\\n" <signed checkpoint>

Answers as the spec says: 200 with a cosignature line; 400 malformed or old > size; 403 no
valid signature by the log; 404 unknown log; 409 (text/x.tlog.size) old is not the size
last cosigned; 422 the proof or root does not check out. State is one JSON file, written
atomically before answering, under a lock, so two requests cannot roll it back.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response

from shared.clock import utcnow
from shared.tlog import cosign, merkle, note
from shared.tlog.errors import BadCheckpoint
from shared.web.app import install_common

EMPTY_ROOT = hashlib.sha256(b"").digest()
SIZE_TYPE = "text/x.tlog.size"
MAX_PROOF = 63
_OLD = re.compile(r"old (0|[1-9][0-9]{0,18})")


class Refused(Exception):
    """The witness will not cosign; `status` and `text` are its answer."""

    def __init__(self, status: int, text: str, media_type: str = "text/plain") -> None:
        super().__init__(text)
        self.status, self.text, self.media_type = status, text, media_type


@dataclass(frozen=True)
class Submission:
    """An add-checkpoint request, parsed."""

    old: int
    proof: list[bytes]
    signed: str


def parse_submission(body: bytes) -> Submission:
    """Read an add-checkpoint body; Refused(400) if it is not one."""
    try:
        text = body.decode("utf-8")
        head, _, signed = text.partition("\n\n")
        lines = head.split("\n")
        old = _OLD.fullmatch(lines[0])
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except (UnicodeDecodeError, binascii.Error):
        raise Refused(400, "malformed request") from None
    if old is None or not signed or len(proof) > MAX_PROOF or any(len(p) != 32 for p in proof):
        raise Refused(400, "malformed request")
    return Submission(int(old.group(1)), proof, signed)


class Witness:
    """One witness: its name and key, the logs it follows, and its state file."""

    def __init__(
        self, name: str, key: Ed25519PrivateKey, logs: list[note.Verifier], state: Path
    ) -> None:
        self.name, self.key, self.state = name, key, state
        self.logs = {log.name: log for log in logs}
        self._lock = asyncio.Lock()

    def vkey(self) -> str:
        """This witness's cosigner key, for logs and clients to pin."""
        return cosign.verifier_key(self.name, note.public_bytes(self.key))

    def _load(self) -> dict[str, dict[str, object]]:
        if not self.state.exists():
            return {}
        loaded: dict[str, dict[str, object]] = json.loads(self.state.read_text())
        return loaded

    def _save(self, state: dict[str, dict[str, object]]) -> None:
        tmp = self.state.with_name(self.state.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        os.replace(tmp, self.state)

    def _open(self, signed: str) -> note.Checkpoint:
        origin = signed.split("\n", 1)[0]
        if origin not in self.logs:
            raise Refused(404, "unknown log")
        try:
            return note.open_checkpoint(signed, self.logs[origin])
        except BadCheckpoint:
            raise Refused(403, "no valid signature by the log") from None

    async def add_checkpoint(self, body: bytes) -> str:
        """Check a submission and return the cosignature line; Refused otherwise."""
        submission = parse_submission(body)
        checkpoint = self._open(submission.signed)
        async with self._lock:
            state = self._load()
            known = state.get(checkpoint.origin, {"size": 0, "root": EMPTY_ROOT.hex()})
            _check(
                submission, checkpoint, int(str(known["size"])), bytes.fromhex(str(known["root"]))
            )
            state[checkpoint.origin] = {"size": checkpoint.size, "root": checkpoint.root.hex()}
            self._save(state)
        timestamp = int(utcnow().timestamp())
        return cosign.cosign(checkpoint.body(), self.name, self.key, timestamp)


def _check(submission: Submission, checkpoint: note.Checkpoint, size: int, root: bytes) -> None:
    old, proof = submission.old, submission.proof
    if old > checkpoint.size:
        raise Refused(400, "old size is larger than the checkpoint")
    if old != size:
        raise Refused(409, f"{size}\n", SIZE_TYPE)
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        raise Refused(422, "an empty tree has the empty root")
    if old == 0:
        if proof:
            raise Refused(422, "no proof is needed from the empty tree")
        return
    if not merkle.verify_consistency(old, checkpoint.size, root, checkpoint.root, proof):
        raise Refused(422, "the checkpoint is not consistent with the one cosigned before")


def create_witness_app(witness: Witness) -> FastAPI:
    """The witness's HTTP API."""
    app = FastAPI(title="Heard witness", openapi_url=None)
    install_common(app, max_body_bytes=16 * 1024)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        try:
            line = await witness.add_checkpoint(await request.body())
        except Refused as refused:
            return Response(refused.text, status_code=refused.status, media_type=refused.media_type)
        return Response(line, media_type="text/plain; charset=utf-8")

    return app
