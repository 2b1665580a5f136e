"""`heard up`'s local witness: its key is made once (0600), audit is told to submit to it
and intake which keys a receipt must verify under."""

from __future__ import annotations

import json
from pathlib import Path

from deploy.keys import init_keys
from deploy.system import SystemConfig
from deploy.witness import NAME, local_witness
from shared.tlog import cosign, note


def test_the_local_witness_is_wired_to_audit_and_intake(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    init_keys(keys)
    config = SystemConfig(
        var_dir=tmp_path, kafka_bootstrap_servers="127.0.0.1:1", keyring_path=keys
    )
    wired, spec = local_witness(config)
    key_file = keys / "witness.key"
    assert key_file.stat().st_mode & 0o077 == 0
    env = wired.env("intake", "all")
    (witness,) = json.loads(env["AUDIT_WITNESSES"])
    assert witness["url"] == "http://127.0.0.1:8011"
    assert json.loads(env["INTAKE_WITNESS_KEYS"]) == [witness["key"]]
    assert cosign.parse_verifier_key(witness["key"])[0] == NAME
    assert note.parse_verifier(env["INTAKE_LOG_KEY"]).name == "localhost/heard/audit/log"
    assert spec.argv[3:5] == ["audit", "witness"]
    assert env["INTAKE_LOG_KEY"] in spec.argv
    again, _ = local_witness(config)  # the key is made once
    assert again.env("audit", "all")["AUDIT_WITNESSES"] == env["AUDIT_WITNESSES"]
