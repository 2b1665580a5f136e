"""A witness cosigns only checkpoints consistent with what it cosigned before (tlog-witness);
the log collects cosignatures and serves them on its checkpoint."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.integrator import log_verifier
from services.audit.settings import AuditSettings, WitnessRef
from services.audit.tree_db import SignedCheckpoint, latest_checkpoint
from services.audit.verifier import Request, VerificationFailed, verify
from services.audit.witness import Witness, create_witness_app
from services.audit.witnessing import Known, collect
from shared.tlog import cosign, note
from tests.support.apps import app_client
from tests.unit.audit.support import entry_of
from tests.unit.audit.test_verifier import Log, served

NAME = "witness.example.org/w1"
URL = "http://witness.test"


@pytest.fixture
def witness_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
async def log(tmp_path: Path, keyring_path: Path) -> AsyncIterator[Log]:
    async with served(tmp_path / "log", keyring_path) as opened:
        await opened.grow(600)
        yield opened


@pytest.fixture
def witness(log: Log, witness_key: Ed25519PrivateKey, tmp_path: Path) -> Witness:
    verifier = log_verifier(log.runtime, log.settings)
    return Witness(NAME, witness_key, [verifier], tmp_path / "witness.json")


@pytest.fixture
async def to_witness(witness: Witness) -> AsyncIterator[httpx.AsyncClient]:
    app = create_witness_app(witness)
    async with app_client(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=URL) as client:
            yield client


def _with_witness(log: Log, witness: Witness) -> AuditSettings:
    return log.settings.model_copy(update={"witnesses": [WitnessRef(url=URL, key=witness.vkey())]})


async def _latest(log: Log) -> SignedCheckpoint:
    async with log.runtime.sessions() as session:
        latest = await latest_checkpoint(session)
    assert latest is not None
    return latest


async def _submit(log: Log, witness: Witness, client: httpx.AsyncClient, known: Known) -> int:
    return await collect(
        client, log.runtime, _with_witness(log, witness), await _latest(log), known
    )


async def test_the_log_serves_checkpoints_carrying_verified_cosignatures(
    log: Log, witness: Witness, to_witness: httpx.AsyncClient, witness_key: Ed25519PrivateKey
) -> None:
    known: Known = {}
    assert await _submit(log, witness, to_witness, known) == 1
    await log.grow(700)
    assert await _submit(log, witness, to_witness, known) == 1
    served_note = (await log.client.get("checkpoint")).text
    public = note.public_bytes(witness_key)
    assert cosign.cosigned_at(served_note, NAME, public) is not None
    assert note.open_checkpoint(served_note, log_verifier(log.runtime, log.settings)).size == 700


async def test_a_fork_is_refused_by_the_witness(
    log: Log,
    witness: Witness,
    to_witness: httpx.AsyncClient,
    tmp_path: Path,
    keyring_path: Path,
) -> None:
    assert await _submit(log, witness, to_witness, {}) == 1
    async with served(tmp_path / "fork", keyring_path) as fork:
        # Same key, a history whose entry 3 differs, longer than what the witness cosigned.
        await fork.grow(800, lambda p: b"rewritten".ljust(32) if p == 3 else entry_of(p))
        assert await _submit(fork, witness, to_witness, {}) == 0
        smaller = await _latest(fork)
    async with served(tmp_path / "rollback", keyring_path) as rolled_back:
        await rolled_back.grow(500)
        assert await _submit(rolled_back, witness, to_witness, {}) == 0
    assert witness.state.read_text().count('"size": 600') == 1
    assert smaller.size == 800


async def _post(client: httpx.AsyncClient, body: str) -> httpx.Response:
    return await client.post("/add-checkpoint", content=body.encode())


@pytest.mark.parametrize(
    ("make_body", "status"),
    [
        (lambda n: "garbage", 400),
        (lambda n: "old x\n\n" + n, 400),
        (lambda n: "old 01\n\n" + n, 400),
        (lambda n: "old 0\nnot base64!\n\n" + n, 400),
        (lambda n: "old 0\nAAAA\n\n" + n, 400),
        (lambda n: "old 700\n\n" + n, 400),
        (lambda n: "old 0\n\n" + n.replace("localhost/", "elsewhere/"), 404),
        (lambda n: "old 0\n\n" + n.replace("\n600\n", "\n601\n"), 403),
        (lambda n: "old 5\n\n" + n, 409),
        (lambda n: "old 0\n" + "A" * 43 + "=\n\n" + n, 422),
    ],
)
async def test_bad_submissions_get_the_specs_status(
    log: Log, to_witness: httpx.AsyncClient, make_body: object, status: int
) -> None:
    signed = (await _latest(log)).note
    response = await _post(to_witness, make_body(signed))  # type: ignore[operator]
    assert response.status_code == status
    if status == 409:
        assert response.headers["content-type"].startswith("text/x.tlog.size")
        assert response.text == "0\n"


async def test_resubmitting_another_root_at_the_same_size_is_422(
    log: Log, witness: Witness, to_witness: httpx.AsyncClient, keyring_path: Path, tmp_path: Path
) -> None:
    assert (await _post(to_witness, "old 0\n\n" + (await _latest(log)).note)).status_code == 200
    async with served(tmp_path / "twin", keyring_path) as twin:
        await twin.grow(600, lambda p: b"other".ljust(32))
        twin_note = (await _latest(twin)).note
    assert (await _post(to_witness, "old 600\n\n" + twin_note)).status_code == 422


async def test_the_verifier_requires_the_cosignatures_it_is_told_to(
    log: Log, witness: Witness, to_witness: httpx.AsyncClient, tmp_path: Path
) -> None:
    verifier = log_verifier(log.runtime, log.settings)
    wanted = Request(verifier, None, range(0), witnesses=(witness.vkey(),))
    with pytest.raises(VerificationFailed, match=re.escape(f"no valid cosignature of {NAME}")):
        await verify(log.client, wanted)  # the log has not been witnessed yet
    assert await _submit(log, witness, to_witness, {}) == 1
    report = await verify(log.client, wanted)
    assert report.witnessed_by == [NAME]
    other = cosign.verifier_key("other.example/w2", note.public_bytes(Ed25519PrivateKey.generate()))
    with pytest.raises(VerificationFailed, match=re.escape("other.example/w2")):
        await verify(log.client, Request(verifier, None, range(0), witnesses=(other,)))
    for bad in ("nonsense", witness.vkey()[:-4] + "AAAA"):
        with pytest.raises(VerificationFailed, match="--witness"):
            await verify(log.client, Request(verifier, None, range(0), witnesses=(bad,)))
