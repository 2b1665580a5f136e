"""A local witness for `heard up`, so that a child's receipt is cosigned on one machine too.

It runs `heard audit witness` as one more supervised process (key in the keyring folder,
made on first use; state in `var/`), tells audit to submit its checkpoints to it
(`AUDIT_WITNESSES`) and tells intake which keys a receipt must verify under
(`INTAKE_LOG_KEY`, `INTAKE_WITNESS_KEYS`). Production runs independent witnesses instead.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

from deploy.processes import ProcessSpec
from deploy.system import REPO, SystemConfig
from services.audit.cli import load_witness_key
from services.audit.settings import AuditSettings
from shared.crypto.keyfiles import load_service_keyring
from shared.tlog import cosign, note

NAME = "localhost/heard/witness"
DEFAULT_PORT = 8011


def local_witness(config: SystemConfig) -> tuple[SystemConfig, ProcessSpec]:
    """`config` with the witness's settings for audit and intake, and its process."""
    folder = config.keyring_path if config.keyring_path.is_dir() else config.keyring_path.parent
    key_file = folder / "witness.key"
    public = note.public_bytes(load_witness_key(key_file))
    settings = AuditSettings(HEARD_KEYRING=config.keyring_path)
    signing = load_service_keyring(settings.keyring_path, "audit").signing_key("audit")
    log_key = note.verifier_of(settings.log_origin, signing).encode()
    vkey = cosign.verifier_key(NAME, public)
    port = int(os.environ.get("HEARD_WITNESS_PORT", DEFAULT_PORT))
    url = f"http://{config.host}:{port}"
    env = {
        "AUDIT_WITNESSES": json.dumps([{"url": url, "key": vkey}]),
        "INTAKE_LOG_KEY": log_key,
        "INTAKE_WITNESS_KEYS": json.dumps([vkey]),
    }
    argv = [sys.executable, "-m", "deploy.cli", "audit", "witness", "--name", NAME]
    argv += ["--key-file", str(key_file), "--state", str(config.var_dir / "witness.json")]
    argv += ["--log", log_key, "--host", config.host, "--port", str(port)]
    spec = ProcessSpec(
        name="witness",
        argv=argv,
        log_path=config.var_dir / "logs" / "witness.log",
        env={"PYTHONUNBUFFERED": "1"},
        cwd=REPO,
    )
    return dataclasses.replace(config, extra_env={**config.extra_env, **env}), spec
