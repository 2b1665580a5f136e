"""A throwaway PostgreSQL cluster from Debian's `postgresql` package, for tests and CI.

`initdb`, then the server on a free loopback port, with trust authentication and no fsync: fast,
and never for data anyone wants to keep. PostgreSQL refuses to run as root, so when we are root the
cluster belongs to, and runs as, the `postgres` user the package creates.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from deploy.ports import free_port
from deploy.processes import ManagedProcess, ProcessSpec, run_to_completion, tail

DEBIAN_ROOT = Path("/usr/lib/postgresql")
OS_USER = "postgres"


class PostgresError(RuntimeError):
    """PostgreSQL cannot be installed, or a cluster would not start."""


def installed_bin_dir(root: Path) -> Path | None:
    """The newest `<root>/<version>/bin` holding `pg_ctl`, if any."""
    found = [path.parent for path in root.glob("*/bin/pg_ctl")]
    versions = [path for path in found if path.parent.name.isdigit()]
    return max(versions, key=lambda path: int(path.parent.name), default=None)


def ensure_postgres_installed() -> Path:
    """The server's bin directory, installing Debian's `postgresql` package if it is missing."""
    found = installed_bin_dir(DEBIAN_ROOT)
    if found is not None:
        return found
    _apt_get("update")
    _apt_get("install", "-y", "--no-install-recommends", "postgresql")
    found = installed_bin_dir(DEBIAN_ROOT)
    if found is None:
        raise PostgresError(f"installed the postgresql package, yet {DEBIAN_ROOT} has no pg_ctl")
    return found


def _apt_get(*arguments: str) -> None:
    command = ["apt-get", "-q", *arguments]
    if os.geteuid() != 0:
        command = ["sudo", "-n", *command]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        last = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise PostgresError(f"`{' '.join(command)}` failed; install PostgreSQL by hand:\n{last}")


def database_url(server_url: str, name: str) -> str:
    """`server_url` pointing at database `name` instead (user, host, port, options kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def libpq_url(url: str) -> str:
    """`url` without SQLAlchemy's driver in the scheme (postgresql+psycopg://), as libpq wants."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+")[0]))


def create_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server at `server_url`; return its URL."""
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` if it exists, closing whatever sessions still use it."""
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(statement)


class PostgresCluster:
    """A PostgreSQL cluster in `data_dir`, listening on 127.0.0.1 only, trusting every local user.

    The server runs as our child in its own process group (not daemonised by `pg_ctl`), so it is
    reaped even where PID 1 reaps nothing, and can be killed with every backend it forked. When
    we are root, `data_dir` is handed to the `postgres` user, who must be able to reach it (a
    directory under /tmp will do; pytest's private temporary directories will not).
    """

    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self._process: ManagedProcess | None = None

    @property
    def pgdata(self) -> Path:
        """The cluster's own directory (initdb's -D)."""
        return self.data_dir / "pgdata"

    @property
    def log_path(self) -> Path:
        """The server's log, and initdb's."""
        return self.data_dir / "postgres.log"

    @property
    def pid(self) -> int | None:
        """The process id of the server's process group while it runs."""
        return self._process.pid if self._process else None

    def url(self, database: str = "postgres") -> str:
        """A URL for `database` on this cluster, as the `postgres` superuser."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; return its URL."""
        return create_database(self.url(), name)

    def start(self, timeout: float = 60) -> None:
        """Initialise the cluster on first use and start it; return once it accepts connections."""
        if self._process is not None and self._process.alive():
            return
        bin_dir = ensure_postgres_installed()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._hand_over()
        if not (self.pgdata / "PG_VERSION").exists():
            initdb = [str(bin_dir / "initdb"), "-D", str(self.pgdata), "-A", "trust"]
            initdb += ["-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]
            run_to_completion(self._spec("initdb", initdb))
        server = [str(bin_dir / "postgres"), "-D", str(self.pgdata), *self.server_options()]
        self._process = ManagedProcess(self._spec("postgres", server))
        self._process.start()
        _RUNNING.add(self)
        self._await_ready(self._process, timeout)

    def _spec(self, name: str, argv: list[str]) -> ProcessSpec:
        return ProcessSpec(
            name=name, argv=as_owner(argv), log_path=self.log_path, cwd=self.data_dir
        )

    def server_options(self) -> list[str]:
        """The server's command-line settings: port, loopback only, socket in `data_dir`."""
        # A throwaway cluster: no fsync, and room for every test's services' connection pools.
        settings = ["listen_addresses=127.0.0.1", "fsync=off", "full_page_writes=off"]
        settings += [f"unix_socket_directories={self.data_dir}", "max_connections=300"]
        return ["-p", str(self.port), *(f"--{setting}" for setting in settings)]

    def _await_ready(self, process: ManagedProcess, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._accepts_connections():
            code = process.exit_code()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                what = f"exited with {code}" if code is not None else f"not up in {timeout:.0f} s"
                raise PostgresError(
                    f"PostgreSQL {what}; {self.log_path} ends:\n{tail(self.log_path)}"
                )
            time.sleep(0.1)

    def _accepts_connections(self) -> bool:
        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def stop(self, timeout: float = 30) -> None:
        """Stop the cluster, rolling back open transactions (a "fast" shutdown); idempotent."""
        process = self._process
        if process is None:
            return
        try:
            # SIGINT, not SIGTERM: SIGTERM's "smart" shutdown waits for pooled clients to leave.
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout)
        finally:
            # Also when interrupted while waiting: the server must not outlive us.
            process.kill()
            self._process = None
            _RUNNING.discard(self)

    def crash(self, timeout: float = 30) -> None:
        """Stop the server as a power cut would (`pg_ctl stop -m immediate`: no checkpoint,
        backends killed, recovery from the WAL at the next start); `start()` brings it back."""
        process = self._process
        if process is None:
            return
        pg_ctl = str(ensure_postgres_installed() / "pg_ctl")
        stop = [pg_ctl, "stop", "-D", str(self.pgdata), "-m", "immediate", "-w"]
        run_to_completion(self._spec("pg_ctl", stop), timeout)
        process.wait(timeout)
        self._process = None
        _RUNNING.discard(self)

    def _hand_over(self) -> None:
        if os.geteuid() != 0:
            return
        owner = pwd.getpwnam(OS_USER)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def as_owner(argv: list[str]) -> list[str]:
    """`argv` run as the `postgres` user when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", OS_USER, "--", *argv]


_RUNNING: set[PostgresCluster] = set()


@atexit.register
def _stop_running() -> None:
    """No cluster outlives an interpreter that exits normally (a SIGKILL still orphans it)."""
    for cluster in list(_RUNNING):
        cluster.stop(timeout=10)
