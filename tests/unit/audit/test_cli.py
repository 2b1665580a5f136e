"""`heard audit key` prints the log's verifier key; `heard audit verify` fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.cli import main
from deploy.keys import init_keys
from services.audit.settings import AuditSettings
from shared.crypto.keyfiles import load_service_keyring
from shared.crypto.keyring import FileKeyring
from shared.tlog import note


def test_key_prints_the_logs_verifier_key(
    keyring_path: Path, keyring: FileKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "key", "--keyring", str(keyring_path)]) == 0
    printed = capsys.readouterr().out.strip()
    expected = note.verifier_of(AuditSettings().log_origin, keyring.signing_key("audit"))
    assert note.parse_verifier(printed) == expected


def test_key_reads_audits_own_keyring_in_a_keys_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `heard keys init` writes a folder of per-service keyrings, the default `HEARD_KEYRING`.
    folder = tmp_path / "keys"
    init_keys(folder)
    assert main(["audit", "key", "--keyring", str(folder)]) == 0
    printed = capsys.readouterr().out.strip()
    audit = load_service_keyring(folder, "audit")
    expected = note.verifier_of(AuditSettings().log_origin, audit.signing_key("audit"))
    assert note.parse_verifier(printed) == expected


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--key", "not-a-key"], "verifier key"),
        (["--key", "{key}", "--event", "not-a-uuid"], "--event takes an event id"),
        (["--key", "{key}", "--witness", "not-a-witness"], "cannot fetch"),
        (["--key", "{key}", "--entries", "9:3"], "--entries"),
        (["--key", "{key}"], "cannot fetch"),
    ],
)
def test_verify_says_fail_and_exits_1(
    keyring: FileKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    said: str,
) -> None:
    key = note.verifier_of("o", keyring.signing_key("audit")).encode()
    args = [a.format(key=key) for a in extra]
    # Port 9 (discard) on localhost: nothing answers, as when the log is down.
    command = ["audit", "verify", "http://127.0.0.1:9/log", "--state", str(tmp_path / "s"), *args]
    assert main(command) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL:")
    assert said in out
