"""A child's receipt end to end, on real Kafka and PostgreSQL: submit -> the commitment
travels signed on `complaints` -> audit logs it as a leaf of its own -> the log signs a
checkpoint and a witness cosigns it -> intake hands out the receipt for the code ->
`heard receipt verify` accepts it, and refuses it under another witness."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from deploy.cli import main
from deploy.client import sample_complaint
from services.audit.app import create_app as create_audit_app
from services.audit.bootstrap import SERVICE as AUDIT
from services.audit.integrator import integrate_all, log_verifier
from services.audit.settings import AuditSettings, WitnessRef
from services.audit.witness import Witness, create_witness_app
from services.audit.witnessing import collect
from services.intake.bootstrap import SERVICE as INTAKE
from shared.auth import ensure_issuer_files
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import init_keyring_file
from shared.db.migrations import upgrade
from shared.ids import new_id
from shared.runner import run_consumer, run_relay
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from tests.support.apps import app_client

pytestmark = pytest.mark.integration
WITNESS_URL = "http://witness.test"
SPECS: tuple[Service[Any], ...] = (INTAKE, AUDIT)


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    ensure_issuer_files(tmp_path)
    return path


@pytest.fixture
async def system(
    kafka_bootstrap: str, make_database_url: Callable[[], str], keyring_path: Path
) -> AsyncIterator[dict[str, Runtime]]:
    """Intake's relay and audit's consumer as tasks, each service on its own database."""
    prefix = f"r{new_id().hex[-10:]}."
    await ensure_topics(kafka_bootstrap, namespace=TopicNamespace(prefix))
    stop = asyncio.Event()
    async with AsyncExitStack() as stack:
        runtimes, tasks = {}, []
        for spec in SPECS:
            settings = spec.settings(
                database_url=make_database_url(),
                KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
                HEARD_TOPIC_PREFIX=prefix,
                HEARD_KEYRING=str(keyring_path),
            )
            upgrade(settings.database_url, spec.migrations)
            runtime = await stack.enter_async_context(open_runtime(spec.name, settings))
            runtimes[spec.name] = runtime
        tasks.append(asyncio.create_task(run_relay(INTAKE, runtimes["intake"], stop)))
        tasks.append(asyncio.create_task(run_consumer(AUDIT, runtimes["audit"], stop)))
        try:
            yield runtimes
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


def _app(spec: Service[Any], runtime: Runtime, **changes: object) -> FastAPI:
    app = spec.create_app(runtime.settings.model_copy(update=changes))
    app.state.runtime = runtime
    return app


async def _cosigned(audit: Runtime, settings: AuditSettings, witness: FastAPI) -> None:
    signed = await integrate_all(audit, settings)
    if signed is not None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=witness)) as client:
            await collect(client, audit, settings, signed, {})


async def test_submit_log_witness_download_verify(
    system: dict[str, Runtime], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_runtime = system["audit"]
    audit_settings: AuditSettings = audit_runtime.settings  # type: ignore[assignment]
    log_key = log_verifier(audit_runtime, audit_settings)
    witness = Witness(
        "witness.example.org/w1", Ed25519PrivateKey.generate(), [log_key], tmp_path / "w.json"
    )
    with_witness = audit_settings.model_copy(
        update={"witnesses": [WitnessRef(url=WITNESS_URL, key=witness.vkey())]}
    )
    audit_app = create_audit_app(audit_settings, integrate=False)  # integrated by hand below
    audit_app.state.runtime = audit_runtime
    witness_app = create_witness_app(witness)
    intake_app = _app(
        INTAKE,
        system["intake"],
        log_url="http://audit.test/log",
        log_key=log_key.encode(),
        witness_keys=[witness.vkey()],
    )
    async with app_client(audit_app), app_client(witness_app), app_client(intake_app) as intake:
        intake_app.state.log_transport = httpx.ASGITransport(app=audit_app)
        answer = await intake.post("/api/v1/complaints", json=sample_complaint(0))
        code = answer.json()["receipt_code"]
        receipt = None
        for _ in range(120):
            await _cosigned(audit_runtime, with_witness, witness_app)
            response = await intake.post("/api/v1/receipts/proof", json={"receipt_code": code})
            if response.status_code == 200:
                receipt = response.text
                break
            assert response.status_code == 503, response.text
            await asyncio.sleep(0.5)
    assert receipt is not None, "no receipt within a minute"
    assert receipt.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert "narrative" not in receipt
    path = tmp_path / "heard-receipt.tlog-proof"
    path.write_text(receipt, encoding="utf-8")
    args = ["receipt", "verify", str(path), "--log-key", log_key.encode()]
    assert main([*args, "--witness-key", witness.vkey()]) == 0
    assert "OK: this receipt is genuine." in capsys.readouterr().out
    other = Witness(
        "witness.example.org/w2", Ed25519PrivateKey.generate(), [log_key], tmp_path / "o"
    )
    assert main([*args, "--witness-key", other.vkey()]) == 1
    assert "no trusted witness" in capsys.readouterr().out
