"""Real infrastructure for the tests: an Apache Kafka broker and a PostgreSQL server.

Each comes from the first of: the environment (`KAFKA_BOOTSTRAP_SERVERS`, `TEST_DATABASE_URL`);
Docker via testcontainers when it works and neither is configured; else a local broker
(`deploy.kafka_broker`) and a throwaway cluster (`deploy.postgres`). Everything starts only when a
test asks for it, so unit tests start nothing, and stops when the session ends.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType

import pytest

from deploy.containers import docker_available, kafka_container, postgres_container
from deploy.kafka_broker import KafkaBroker
from deploy.kafka_jars import kafka_libs
from deploy.postgres import PostgresCluster, create_database, drop_database

REPO = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Treat SIGTERM like Ctrl-C, so fixtures are torn down and no broker or server lingers."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # Once is enough: a second SIGTERM would cut the teardown short and orphan the servers.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


@functools.cache
def _use_containers() -> bool:
    """Docker's path is taken only when nothing is configured and an engine answers."""
    configured = "KAFKA_BOOTSTRAP_SERVERS" in os.environ or "TEST_DATABASE_URL" in os.environ
    return not configured and docker_available()


@contextlib.contextmanager
def _server(
    variable: str,
    container: Callable[[], AbstractContextManager[str]],
    local: Callable[[], AbstractContextManager[str]],
) -> Iterator[str]:
    """The address in `variable` if set, else a container's when Docker works, else a local one."""
    configured = os.environ.get(variable)
    if configured:
        yield configured
        return
    with (container if _use_containers() else local)() as address:
        yield address


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """The bootstrap address of a broker that all tests of the session share."""
    with _server("KAFKA_BOOTSTRAP_SERVERS", kafka_container, _shared_broker) as bootstrap:
        yield bootstrap


@contextlib.contextmanager
def _shared_broker() -> Iterator[str]:
    with _scratch_dir("heard-kafka-") as data, _local_broker(data) as broker:
        yield broker.bootstrap


@pytest.fixture
def kafka_broker(tmp_path: Path) -> Iterator[KafkaBroker]:
    """A broker of this test's own, which it may kill and restart; stopped afterwards."""
    with _local_broker(tmp_path / "kafka") as broker:
        yield broker


def _local_broker(data_dir: Path) -> KafkaBroker:
    return KafkaBroker(data_dir, libs=kafka_libs(REPO / "var"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL to a PostgreSQL server (its `postgres` database) for the whole session."""
    with _server("TEST_DATABASE_URL", postgres_container, _throwaway_cluster) as url:
        yield url


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str]:
    # Under /tmp, not pytest's private tmp_path: the server runs as the postgres user.
    with _scratch_dir("heard-pg-") as data, PostgresCluster(data) as cluster:
        yield cluster.url()


@pytest.fixture
def make_database_url(postgres_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases on the session's server; each dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"t_{secrets.token_hex(6)}"
        url = create_database(postgres_url, name)
        made.append(name)
        return url

    yield make
    for name in made:
        drop_database(postgres_url, name)


@pytest.fixture
def database_url(make_database_url: Callable[[], str]) -> str:
    """A fresh, empty database of this test's own."""
    return make_database_url()


@contextlib.contextmanager
def _scratch_dir(prefix: str) -> Iterator[Path]:
    """A new directory under the system's temporary folder, removed with all it holds."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path)
