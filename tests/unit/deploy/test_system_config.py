"""What each of Heard's processes is started with, and how bus status reads."""

from __future__ import annotations

from pathlib import Path

from deploy.status import BusStatus, GroupLag
from deploy.system import SEPARATE, SERVICES, HeardSystem, SystemConfig


def _config(tmp_path: Path, **overrides: object) -> SystemConfig:
    settings: dict[str, object] = {
        "var_dir": tmp_path,
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "keyring_path": tmp_path / "keyring.json",
        **overrides,
    }
    return SystemConfig(**settings)  # type: ignore[arg-type]


def test_each_service_gets_its_own_database_port_and_the_shared_broker(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        database_urls={"triage": "postgresql://127.0.0.1:5/t"},
        ports={"triage": 9999},
        topic_prefix="x.",
        traces_dir=tmp_path / "traces",
    )
    env = config.env("triage", "consume")
    assert env["TRIAGE_DATABASE_URL"] == "postgresql://127.0.0.1:5/t"
    assert env["TRIAGE_PORT"] == "9999"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:1"
    assert env["HEARD_TOPIC_PREFIX"] == "x."
    assert env["HEARD_TRACES_FILE"] == str(tmp_path / "traces" / "triage-consume.jsonl")
    assert config.env("intake", "api")["INTAKE_DATABASE_URL"] == f"sqlite:///{tmp_path}/intake.db"
    assert config.url("audit") == "http://127.0.0.1:8004"


def test_the_system_is_one_process_per_service_by_default(tmp_path: Path) -> None:
    system = HeardSystem(_config(tmp_path))
    names = sorted(p.name for p in system.processes)
    assert names == sorted([*(f"{s}-all" for s in SERVICES), "signin"])
    combined = system.process("triage").spec
    assert list(combined.argv[1:]) == ["-m", "services.triage", "all"]
    assert [p.name for p in system.processes_of("audit")] == ["audit-all"]


def test_each_role_can_run_as_a_process_of_its_own(tmp_path: Path) -> None:
    system = HeardSystem(_config(tmp_path, roles=SEPARATE))
    names = sorted(p.name for p in system.processes if p.name != "signin")
    assert names == sorted(f"{s}-{r}" for s in SERVICES for r in ("api", "consume", "relay"))
    consumer = system.process("casework", "consume").spec
    assert list(consumer.argv[1:]) == ["-m", "services.casework", "consume"]
    assert consumer.log_path == tmp_path / "logs" / "casework-consume.log"


def test_status_renders_lag_and_dead_letters() -> None:
    status = BusStatus(
        lags=[GroupLag("triage", "complaints", lag=3, committed=7, end=10)],
        dead_letters={"complaints.dlq": 2},
    )
    text = status.render()
    assert "triage" in text
    assert "complaints.dlq" in text
    assert text.splitlines()[1].split()[:3] == ["triage", "complaints", "3"]


def test_settings_given_in_the_environment_reach_every_process(tmp_path: Path) -> None:
    environ = {
        "INTAKE_DATABASE_URL": "postgresql://heard@127.0.0.1:5432/intake",
        "AUDIT_DATABASE_URL": "postgresql://heard@127.0.0.1:5432/audit",
        "TRIAGE_PORT": "9102",
        "HEARD_TOPIC_PREFIX": "prod.",
        "HEARD_ENV": "production",
    }
    config = SystemConfig.from_environment(
        environ, var_dir=tmp_path, kafka_bootstrap_servers="b:1", keyring_path=tmp_path / "k"
    )
    system = HeardSystem(config)
    intake = system.process("intake").spec.env
    assert intake["INTAKE_DATABASE_URL"] == environ["INTAKE_DATABASE_URL"]
    assert system.process("audit").spec.env["AUDIT_DATABASE_URL"] == environ["AUDIT_DATABASE_URL"]
    assert system.process("casework").spec.env["CASEWORK_DATABASE_URL"].startswith("sqlite:///")
    assert system.process("triage").spec.env["TRIAGE_PORT"] == "9102"
    assert intake["HEARD_TOPIC_PREFIX"] == "prod."
    assert intake["HEARD_ENV"] == "production"
