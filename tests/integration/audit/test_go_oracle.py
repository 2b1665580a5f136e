"""Go's own transparency-log packages (golang.org/x/mod/sumdb/note and tlog) accept our log.

A small Go program (./go) is built from the Go module proxy; it verifies every checkpoint's
signature with note.Verifier, rebuilds each tree from our tiles with tlog.TileHashReader,
checks every entry bundle against the leaves, proves and checks random records and tree
prefixes, checks the proofs our JSON API served with tlog.CheckRecord / CheckTree, and
checks our witness's cosignature with github.com/transparency-dev/formats/note.
Needs Go (on PATH or in /usr/local/go/bin) and access to proxy.golang.org.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.integrator import integrate_all, log_verifier
from services.audit.settings import AuditSettings, WitnessRef
from services.audit.tree_db import latest_checkpoint
from services.audit.witness import Witness, create_witness_app
from services.audit.witnessing import collect
from shared.runtime import Runtime
from tests.integration.audit.dump import dump_tree, write
from tests.support.apps import app_client
from tests.unit.audit.support import append_entries, event_id_of

pytestmark = pytest.mark.integration
PROGRAM = Path(__file__).parent / "go"
WITNESS = "http://witness.test"
NEEDS = (
    "this test needs Go >= 1.22 (`go` on PATH or /usr/local/go/bin/go; https://go.dev/dl/ "
    "or `apt-get install golang-go`) and network access to proxy.golang.org for golang.org/x/mod"
)


def _go() -> str:
    found = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if found is None:
        pytest.fail(NEEDS)
    return found


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The oracle program, built once per run from the module proxy."""
    binary = tmp_path_factory.mktemp("oracle") / "oracle"
    env = {**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    built = subprocess.run(
        [_go(), "build", "-o", str(binary), "."],
        cwd=PROGRAM,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"{NEEDS}\ngo build failed:\n{built.stderr}")
    return binary


def _sizes() -> list[int]:
    rng = random.Random(5)
    sizes = list(range(1, 301))
    while sizes[-1] < 3000:
        sizes.append(sizes[-1] + rng.randint(1, 400))
    return sizes


async def _proofs(
    client: httpx.AsyncClient, size: int, rng: random.Random
) -> list[dict[str, object]]:
    index, old = rng.randrange(size), rng.randint(1, size)
    inclusion = (
        await client.get(
            "/log/proofs/inclusion", params={"event_id": event_id_of(index), "size": size}
        )
    ).json()
    consistency = (
        await client.get("/log/proofs/consistency", params={"old": old, "new": size})
    ).json()
    return [
        {
            "kind": "inclusion",
            "index": index,
            "size": size,
            "leaf": inclusion["leaf_hash"],
            "proof": inclusion["proof"],
        },
        {"kind": "consistency", "old": old, "size": size, "proof": consistency["proof"]},
    ]


async def _cosigned(
    client: httpx.AsyncClient, runtime: Runtime, settings: AuditSettings, tmp_path: Path
) -> None:
    """Have our witness cosign the latest checkpoint; save it and the witness's key."""
    witness = Witness(
        "witness.example.org/w1",
        Ed25519PrivateKey.generate(),
        [log_verifier(runtime, settings)],
        tmp_path / "witness.json",
    )
    app = create_witness_app(witness)
    async with app_client(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=WITNESS) as to_witness:
            with_witness = settings.model_copy(
                update={"witnesses": [WitnessRef(url=WITNESS, key=witness.vkey())]}
            )
            async with runtime.sessions() as session:
                latest = await latest_checkpoint(session)
            assert latest is not None
            assert await collect(to_witness, runtime, with_witness, latest, {}) == 1
    write(tmp_path / "log" / "witness", witness.vkey().encode())
    write(tmp_path / "log" / "cosigned", (await client.get("/log/checkpoint")).content)


def _run(oracle: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(oracle), str(directory)], capture_output=True, text=True, check=False
    )


async def test_go_tlog_accepts_every_checkpoint_tile_and_proof(
    oracle: Path,
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: AuditSettings,
    tmp_path: Path,
) -> None:
    served, rng, size = [], random.Random(9), 0
    for target in _sizes():
        await append_entries(runtime, size, target - size)
        await integrate_all(runtime, settings)
        size = target
        await dump_tree(client, tmp_path / "log", size)
        served += await _proofs(client, size, rng)
    write(tmp_path / "log" / "proofs.json", json.dumps(served).encode())
    await _cosigned(client, runtime, settings, tmp_path)
    result = _run(oracle, tmp_path / "log")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {len(_sizes())} checkpoints (sizes 1..{size})")
