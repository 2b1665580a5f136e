"""Kafka's jars: fetched once per pom, never mixed, KAFKA_HOME honoured, Maven errors explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy import kafka_jars
from deploy.kafka_jars import BrokerError, kafka_libs, libs_are_current, pom_kafka_version


class FakeMaven:
    """Stands in for `run_maven`: records calls, writes one jar named after the pom's version."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, pom: Path, output: Path) -> None:
        self.calls += 1
        output.mkdir(parents=True)
        (output / f"kafka_2.13-{pom_kafka_version(pom)}.jar").write_bytes(b"jar")


@pytest.fixture
def maven(monkeypatch: pytest.MonkeyPatch) -> FakeMaven:
    fake = FakeMaven()
    monkeypatch.setattr(kafka_jars, "run_maven", fake)
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    return fake


@pytest.fixture
def pom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "pom.xml"
    copy.write_text(kafka_jars.POM.read_text())
    monkeypatch.setattr(kafka_jars, "POM", copy)
    return copy


def test_the_pom_asks_for_a_kafka_4_release() -> None:
    assert pom_kafka_version(kafka_jars.POM).startswith("4.")


def test_first_call_fetches_and_stamps(maven: FakeMaven, pom: Path, tmp_path: Path) -> None:
    libs = kafka_libs(tmp_path / "var")
    assert libs == tmp_path / "var" / "kafka" / "libs"
    assert maven.calls == 1
    assert libs_are_current(libs, pom)


def test_second_call_downloads_nothing(maven: FakeMaven, pom: Path, tmp_path: Path) -> None:
    kafka_libs(tmp_path / "var")
    kafka_libs(tmp_path / "var")
    assert maven.calls == 1


def test_a_changed_pom_replaces_the_jars(maven: FakeMaven, pom: Path, tmp_path: Path) -> None:
    libs = kafka_libs(tmp_path / "var")
    pom.write_text(pom.read_text().replace(pom_kafka_version(pom), "4.9.9"))
    kafka_libs(tmp_path / "var")
    assert maven.calls == 2
    assert sorted(p.name for p in libs.glob("*.jar")) == ["kafka_2.13-4.9.9.jar"]


def test_a_failed_fetch_leaves_no_stamp(
    monkeypatch: pytest.MonkeyPatch, pom: Path, tmp_path: Path
) -> None:
    def failing(pom: Path, output: Path) -> None:
        output.mkdir(parents=True)
        raise BrokerError("no network")

    monkeypatch.setattr(kafka_jars, "run_maven", failing)
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    with pytest.raises(BrokerError, match="no network"):
        kafka_libs(tmp_path / "var")
    assert not libs_are_current(tmp_path / "var" / "kafka" / "libs", pom)


def test_kafka_home_is_used_without_maven(
    maven: FakeMaven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "kafka_2.13-4.4.0"
    (home / "libs").mkdir(parents=True)
    (home / "libs" / "kafka_2.13-4.4.0.jar").write_bytes(b"jar")
    monkeypatch.setenv("KAFKA_HOME", str(home))
    assert kafka_libs(tmp_path / "var") == home / "libs"
    assert maven.calls == 0


def test_kafka_home_without_a_distribution_is_refused(
    maven: FakeMaven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_HOME", str(tmp_path))
    with pytest.raises(BrokerError, match="holds no Kafka distribution"):
        kafka_libs(tmp_path / "var")


def _fake_mvn(bin_dir: Path, script: str) -> None:
    bin_dir.mkdir()
    mvn = bin_dir / "mvn"
    mvn.write_text(f"#!/bin/sh\n{script}\n")
    mvn.chmod(0o755)


def test_maven_failure_names_the_artifact_and_shows_maven_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_mvn(tmp_path / "bin", "echo 'Could not transfer artifact: connection refused'; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(BrokerError) as raised:
        kafka_jars.run_maven(kafka_jars.POM, tmp_path / "libs")
    message = str(raised.value)
    version = pom_kafka_version(kafka_jars.POM)
    assert f"could not fetch org.apache.kafka:kafka_2.13:{version} from Maven Central" in message
    assert "connection refused" in message


def test_missing_maven_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrokerError, match=r"Maven \(mvn\) is not installed"):
        kafka_jars.run_maven(kafka_jars.POM, tmp_path / "libs")
