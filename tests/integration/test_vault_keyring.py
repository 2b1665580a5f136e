"""The Vault/OpenBao key-store backend against a real dev server (`bao server -dev` or
`vault server -dev`, found on PATH or as HEARD_VAULT_BIN); skipped when neither is installed.

- per-service keyrings with least privilege, as from files: intake cannot sign as triage nor
  open `triage`; audit holds no data key;
- a keyring is never overwritten: init twice, or a write from a stale version, is refused;
- a key distributed through the store reaches a running service's keyring on `reload`;
- a locator file in place of a keyring file makes a service read its keys from the store.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest

from deploy.keys import holdings
from deploy.ports import free_port
from shared.crypto.aead import new_data_key
from shared.crypto.keyfiles import load_service_keyring
from shared.crypto.vault import (
    LOCATOR_FORMAT,
    PUBLIC,
    VaultKeyring,
    VaultStore,
    init_vault_keyrings,
)
from shared.errors import KeyringError

pytestmark = pytest.mark.integration


def _server_binary() -> str | None:
    given = os.environ.get("HEARD_VAULT_BIN")
    return given or shutil.which("bao") or shutil.which("vault")


@pytest.fixture(scope="module")
def vault() -> Iterator[hvac.Client]:
    """A client of a fresh in-memory dev server of this module's own."""
    binary = _server_binary()
    if binary is None:
        pytest.skip("no OpenBao (`bao`) or Vault (`vault`) binary installed")
    token, address = secrets.token_hex(16), f"127.0.0.1:{free_port()}"
    argv = [binary, "server", "-dev", f"-dev-root-token-id={token}"]
    argv.append(f"-dev-listen-address={address}")
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = hvac.Client(url=f"http://{address}", token=token)
        _await_ready(client, server)
        yield client
    finally:
        server.kill()
        server.wait(10)


def _await_ready(client: hvac.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if client.sys.is_initialized() and not client.sys.is_sealed():
                return
        except OSError:  # requests' connection errors are OSErrors
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the dev server did not come up (exit code {server.poll()})")


@pytest.fixture
def store(vault: hvac.Client) -> VaultStore:
    """A store under a prefix of this test's own, keyrings for every service in it."""
    made = VaultStore(vault, prefix=f"heard-test/{secrets.token_hex(4)}")
    init_vault_keyrings(made, holdings())
    return made


def test_each_service_reads_only_its_own_keys(store: VaultStore) -> None:
    intake, audit = VaultKeyring(store, "intake"), VaultKeyring(store, "audit")
    assert intake.holder == "intake"
    intake.signing_key("intake")
    with pytest.raises(KeyringError):
        intake.signing_key("triage")
    intake.verify_key("triage")  # the public key only
    intake.current_data_key("complaints")
    with pytest.raises(KeyringError):
        intake.current_data_key("triage")
    # Audit opens nothing that carries a child's words: only de-identified statistics and its
    # own public checkpoints.
    assert set(audit.document()["data_keys"]) == {"statistics", "audit"}
    public, _ = store.read(PUBLIC)
    assert set(public["verify_keys"]) == set(holdings())


def test_keyrings_are_never_overwritten(store: VaultStore) -> None:
    with pytest.raises(KeyringError):
        init_vault_keyrings(store, holdings())
    document, version = store.read("triage")
    store.write("triage", document, version=version)
    with pytest.raises(KeyringError, match="changed meanwhile"):
        store.write("triage", document, version=version)  # a stale version


def test_a_distributed_key_reaches_a_running_keyring_on_reload(store: VaultStore) -> None:
    running = VaultKeyring(store, "triage")
    assert not running.reload()
    document, version = store.read("triage")
    keys = document["data_keys"]["complaints"]["keys"]
    keys["complaints-2"] = base64.b64encode(new_data_key()).decode()
    store.write("triage", document, version=version)
    with pytest.raises(KeyringError):
        running.data_key("complaints", "complaints-2")
    assert running.reload()
    assert running.data_key("complaints", "complaints-2").key_id == "complaints-2"


def test_a_locator_file_makes_the_runtime_read_keys_from_the_store(
    store: VaultStore, vault: hvac.Client, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text(vault.token)
    locator = tmp_path / "keystore.json"
    where = {"url": vault.url, "mount": "secret", "prefix": store.prefix, "token_file": str(token)}
    locator.write_text(json.dumps({"format": LOCATOR_FORMAT, **where}))
    keyring = load_service_keyring(locator, "casework")
    assert isinstance(keyring, VaultKeyring)
    assert keyring.holder == "casework"
