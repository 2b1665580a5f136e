"""The throwaway PostgreSQL cluster's pure parts: where the server is, URLs, how it is run."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from deploy import postgres
from deploy.postgres import PostgresCluster, database_url, installed_bin_dir


def _install(root: Path, version: str) -> None:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "pg_ctl").write_bytes(b"")


def test_the_newest_installed_server_is_used(tmp_path: Path) -> None:
    for version in ("9", "15", "16"):
        _install(tmp_path, version)
    assert installed_bin_dir(tmp_path) == tmp_path / "16" / "bin"


def test_no_server_installed(tmp_path: Path) -> None:
    assert installed_bin_dir(tmp_path) is None


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "postgresql://postgres@127.0.0.1:5432/t_1",
        ),
        ("postgresql://u:p@db:5432", "postgresql://u:p@db:5432/t_1"),
        (
            "postgresql+psycopg://u@db/x?sslmode=require",
            "postgresql+psycopg://u@db/t_1?sslmode=require",
        ),
    ],
)
def test_a_database_url_keeps_everything_but_the_name(server: str, expected: str) -> None:
    assert database_url(server, "t_1") == expected


def test_libpq_gets_no_sqlalchemy_driver_name() -> None:
    assert postgres.libpq_url("postgresql+psycopg://u@db/x") == "postgresql://u@db/x"


def test_cluster_urls(tmp_path: Path) -> None:
    cluster = PostgresCluster(tmp_path, port=6543)
    assert cluster.url() == "postgresql://postgres@127.0.0.1:6543/postgres"
    assert cluster.url("t_1") == "postgresql://postgres@127.0.0.1:6543/t_1"


def test_the_server_listens_on_loopback_only(tmp_path: Path) -> None:
    options = PostgresCluster(tmp_path, port=6543).server_options()
    assert options[:2] == ["-p", "6543"]
    assert "--listen_addresses=127.0.0.1" in options
    assert f"--unix_socket_directories={tmp_path}" in options


def test_stop_before_start_does_nothing(tmp_path: Path) -> None:
    cluster = PostgresCluster(tmp_path)
    cluster.stop()
    cluster.stop()
    assert cluster.pid is None


def test_root_runs_the_server_as_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert postgres.as_owner(["initdb"]) == ["runuser", "-u", "postgres", "--", "initdb"]


def test_anyone_else_runs_it_as_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert postgres.as_owner(["initdb"]) == ["initdb"]


class FakeApt:
    """Records apt-get runs; the server 'appears' once `install` ran."""

    def __init__(self, root: Path, returncode: int = 0) -> None:
        self.root = root
        self.returncode = returncode
        self.commands: list[list[str]] = []
        self.frontends: list[str | None] = []

    def run(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        self.frontends.append(kwargs["env"].get("DEBIAN_FRONTEND"))
        if "install" in command and self.returncode == 0:
            _install(self.root, "15")
        return subprocess.CompletedProcess(command, self.returncode, "", "E: no network")


@pytest.fixture
def apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeApt:
    fake = FakeApt(tmp_path)
    monkeypatch.setattr(postgres, "DEBIAN_ROOT", tmp_path)
    monkeypatch.setattr("subprocess.run", fake.run)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    return fake


def test_a_missing_server_is_installed_non_interactively(apt: FakeApt, tmp_path: Path) -> None:
    assert postgres.ensure_postgres_installed() == tmp_path / "15" / "bin"
    assert [command[2] for command in apt.commands] == ["update", "install"]
    assert apt.commands[1][-1] == "postgresql"
    assert apt.frontends == ["noninteractive", "noninteractive"]


def test_an_installed_server_installs_nothing(apt: FakeApt, tmp_path: Path) -> None:
    _install(tmp_path, "15")
    postgres.ensure_postgres_installed()
    assert apt.commands == []


def test_not_root_asks_sudo(apt: FakeApt, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    postgres.ensure_postgres_installed()
    assert all(command[:2] == ["sudo", "-n"] for command in apt.commands)


def test_a_failed_install_shows_apts_words(apt: FakeApt) -> None:
    apt.returncode = 100
    with pytest.raises(postgres.PostgresError, match="E: no network"):
        postgres.ensure_postgres_installed()
