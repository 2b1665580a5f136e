"""Docker detection: testcontainers is used only where an engine answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.containers import docker_available


def test_no_docker_client_means_no_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not docker_available()


def test_a_client_without_an_engine_means_no_docker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docker = tmp_path / "docker"
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not docker_available()
