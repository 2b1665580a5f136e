"""The whole of Heard as OS processes: per service its migrations, then one process running
its API, consumer and relay together (`all`), or, for scaling out, one process per role.

The broker and the databases are given (a URL each); this module only runs Heard's own
processes, so the CLI, the end-to-end tests and the benchmark all start the same system.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.processes import ManagedProcess, ProcessFailed, ProcessGroup, ProcessSpec
from deploy.processes import run_to_completion as run_once
from services import registry

SERVICES = registry.NAMES
# Staff sign-in: a process of its own beside casework (whose database holds the accounts), the
# only one that holds the staff-token issuer's private key.
SIGNIN = "signin"
SIGNIN_PORT = 8010
COMBINED = ("all",)
SEPARATE = ("api", "consume", "relay")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SystemConfig:
    """Where the system keeps its files and what it connects to."""

    var_dir: Path
    kafka_bootstrap_servers: str
    keyring_path: Path
    database_urls: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[str, int] = field(default_factory=dict)
    topic_prefix: str = ""
    host: str = "127.0.0.1"
    environment: str = "development"
    traces_dir: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = COMBINED

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str],
        *,
        var_dir: Path,
        kafka_bootstrap_servers: str,
        keyring_path: Path,
    ) -> SystemConfig:
        """The system as the environment configures it: `<NAME>_DATABASE_URL` and `<NAME>_PORT`
        per service, `HEARD_TOPIC_PREFIX`, `HEARD_ENV`; defaults for what is not set."""
        databases = {
            s: environ[f"{s.upper()}_DATABASE_URL"]
            for s in SERVICES
            if f"{s.upper()}_DATABASE_URL" in environ
        }
        ports = {
            s: int(environ[f"{s.upper()}_PORT"]) for s in SERVICES if f"{s.upper()}_PORT" in environ
        }
        return cls(
            var_dir=var_dir,
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            keyring_path=keyring_path,
            database_urls=databases,
            ports=ports,
            topic_prefix=environ.get("HEARD_TOPIC_PREFIX", ""),
            environment=environ.get("HEARD_ENV", "development"),
        )

    def database_url(self, service: str) -> str:
        """The service's database (a SQLite file under `var_dir` unless configured)."""
        return self.database_urls.get(service, f"sqlite:///{self.var_dir / f'{service}.db'}")

    def port(self, service: str) -> int:
        """The port the service's API listens on."""
        if service == SIGNIN:
            return self.ports.get(SIGNIN) or SIGNIN_PORT
        return self.ports.get(service) or registry.service(service).port

    def url(self, service: str) -> str:
        """The base URL of the service's API."""
        return f"http://{self.host}:{self.port(service)}"

    def env(self, service: str, role: str) -> dict[str, str]:
        """The environment the `role` process of `service` runs with."""
        prefix = service.upper()
        traces = {}
        if self.traces_dir is not None:
            traces["HEARD_TRACES_FILE"] = str(self.traces_dir / f"{service}-{role}.jsonl")
        return {
            **traces,
            "HEARD_ENV": self.environment,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "HEARD_TOPIC_PREFIX": self.topic_prefix,
            "HEARD_KEYRING": str(self.keyring_path),
            f"{prefix}_DATABASE_URL": self.database_url(service),
            f"{prefix}_PORT": str(self.port(service)),
            f"{prefix}_HOST": self.host,
            f"{prefix}_SIGNIN_URL": self.url(SIGNIN),
            # Where intake reads the public log for a child's receipt (audit's port here).
            "INTAKE_LOG_URL": self.url("audit") + "/log",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }


class HeardSystem:
    """Heard's long-running processes: one per service, or one per service and role."""

    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self.processes = ProcessGroup()
        for name in SERVICES:
            for role in config.roles:
                self.processes.add(self._spec(name, role))
        self.processes.add(
            ProcessSpec(
                name=SIGNIN,
                argv=[sys.executable, "-m", "services.casework.signin"],
                log_path=self.log_dir / f"{SIGNIN}.log",
                env=self.signin_env(),
                cwd=REPO,
            )
        )

    @property
    def log_dir(self) -> Path:
        """Where every process's output goes, one file per process."""
        return self.config.var_dir / "logs"

    def process(self, service: str, role: str = "all") -> ManagedProcess:
        """One process, e.g. `process("triage")` or `process("triage", "consume")`."""
        return self.processes[f"{service}-{role}"]

    def signin_env(self) -> dict[str, str]:
        """The environment of the sign-in process: casework's database, its own port."""
        return {
            **self.config.env("casework", SIGNIN),
            "SIGNIN_DATABASE_URL": self.config.database_url("casework"),
            "SIGNIN_PORT": str(self.config.port(SIGNIN)),
            "SIGNIN_HOST": self.config.host,
        }

    def processes_of(self, service: str) -> list[ManagedProcess]:
        """Every long-running process of `service`."""
        return [self.process(service, role) for role in self.config.roles]

    def migrate(self) -> None:
        """Bring every service's database to its latest schema."""
        for service in SERVICES:
            run_once(self._spec(service, "migrate"))

    def start(self, timeout: float = 60) -> None:
        """Migrate, start every process and wait until every API answers."""
        self.migrate()
        self.processes.start_all()
        try:
            self.wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, timeout: float = 60) -> None:
        """Wait until each API's /healthz answers; fail fast if a process died."""
        deadline = time.monotonic() + timeout
        waiting = list(SERVICES)
        while waiting:
            for process in self.processes.crashed():
                raise ProcessFailed(process.spec, f"exited with {process.exit_code()}")
            waiting = [s for s in waiting if not self._healthy(s)]
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout}s: {', '.join(waiting)}")
            if waiting:
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop every process (consumers commit what they applied first)."""
        self.processes.stop_all()

    def restart_crashed(self) -> list[str]:
        """Start again every process that exited on its own; the names restarted."""
        crashed = self.processes.crashed()
        for process in crashed:
            process.start()
        return [p.name for p in crashed]

    def _healthy(self, service: str) -> bool:
        try:
            answer = httpx.get(f"{self.config.url(service)}/healthz", timeout=1)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def _spec(self, service: str, role: str) -> ProcessSpec:
        return ProcessSpec(
            name=f"{service}-{role}",
            argv=[sys.executable, "-m", f"services.{service}", role],
            log_path=self.log_dir / f"{service}-{role}.log",
            env=self.config.env(service, role),
            cwd=REPO,
        )
