"""The `heard` command's offline subcommands: keys and staff tokens; bad arguments refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.cli import main
from deploy.ports import free_port
from shared.auth import TokenVerifier
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from tests.support.events import submitted


def test_keys_init_makes_one_private_keyring_per_service_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    assert main(["keys", "init", "--path", str(keys)]) == 0
    files = sorted(p.name for p in keys.iterdir())
    private = ["audit.json", "casework.json", "intake.json", "staff-issuer.json", "triage.json"]
    private.append("staff-totp-key.json")
    assert files == sorted([*private, "public.json", "staff-jwks.json"])
    assert all((keys / name).stat().st_mode & 0o777 == 0o600 for name in private)
    before = (keys / "intake.json").read_bytes()
    assert main(["keys", "init", "--path", str(keys)]) == 1
    assert (keys / "intake.json").read_bytes() == before
    assert "heard:" in capsys.readouterr().err


def test_rotation_distributes_then_activates_and_old_events_still_open(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    main(["keys", "init", "--path", str(keys)])
    old = EventCodec(_own(keys, "intake"), "intake").encode(submitted(), subject="c")
    assert main(["keys", "rotate", "complaints", "--path", str(keys)]) == 0
    still = EventCodec(_own(keys, "intake"), "intake").encode(submitted(), subject="c")
    assert main(["keys", "activate", "complaints", "complaints-2", "--path", str(keys)]) == 0
    new = EventCodec(_own(keys, "intake"), "intake").encode(submitted(), subject="c")
    reader = EventCodec(_own(keys, "triage"), "triage")
    opened = [reader.decode("complaints", r.key, r.headers, r.value) for r in (old, still, new)]
    assert [o.envelope.keyid for o in opened] == ["complaints-1", "complaints-1", "complaints-2"]


def test_activating_a_key_that_was_not_distributed_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    main(["keys", "init", "--path", str(keys)])
    assert main(["keys", "activate", "complaints", "complaints-9", "--path", str(keys)]) == 1
    assert "distribute it first" in capsys.readouterr().err


def _own(keys: Path, service: str) -> FileKeyring:
    return FileKeyring.load(keys / f"{service}.json")


def test_a_token_is_signed_by_the_issuer_key_and_holds_the_roles_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    main(["keys", "init", "--path", str(keys)])
    capsys.readouterr()
    code = main(["token", "--keyring", str(keys), "--subject", "ana", "--role", "caseworker"])
    assert code == 0
    verifier = TokenVerifier.from_files(keys)
    principal = verifier.verify(capsys.readouterr().out.strip())
    assert principal.subject == "ana"
    assert principal.has_any("caseworker")
    assert not principal.has_any("auditor")


def test_a_token_holds_no_role_unless_one_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    main(["keys", "init", "--path", str(keys)])
    capsys.readouterr()
    assert main(["token", "--keyring", str(keys), "--subject", "ana"]) == 0
    principal = TokenVerifier.from_files(keys).verify(capsys.readouterr().out.strip())
    assert principal.roles == frozenset()


def test_an_unknown_role_or_topic_is_refused_with_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    main(["keys", "init", "--path", str(path)])
    for argv in (
        ["token", "--keyring", str(path), "--role", "superuser"],
        ["keys", "rotate", "no-such-topic", "--path", str(path)],
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2


def test_a_token_without_a_keyring_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--keyring", str(tmp_path / "missing.json")]) == 1
    assert "heard:" in capsys.readouterr().err


def test_status_without_a_broker_says_so_and_names_the_address_it_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    nobody = f"127.0.0.1:{free_port()}"
    # The address `heard up` leaves behind is the one status reads.
    (tmp_path / "bootstrap").write_text(nobody + "\n", "utf-8")
    assert main(["--var", str(tmp_path), "status"]) == 1
    error = capsys.readouterr().err
    assert f"no Kafka broker answers at {nobody}" in error
    assert "Traceback" not in error
