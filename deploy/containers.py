"""Kafka and PostgreSQL in Docker containers (testcontainers), where a Docker engine works.

This machine has no Docker engine, so the test fixtures fall back to `deploy.kafka_broker`
and `deploy.postgres`; this path is for developers' machines that have one.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator

# The image testcontainers' KafkaContainer is written and tested against; KRaft needs >= 7.0.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:16"


def docker_available(*, timeout: float = 20) -> bool:
    """Whether a Docker engine answers (`docker info` succeeds)."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        done = subprocess.run([docker, "info"], capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


@contextlib.contextmanager
def kafka_container() -> Iterator[str]:
    """A single-node KRaft Kafka in a container; yields its bootstrap address."""
    # Imported here: testcontainers is a development dependency, deploy/ is not.
    from testcontainers.community.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        yield str(kafka.get_bootstrap_server())


@contextlib.contextmanager
def postgres_container() -> Iterator[str]:
    """A PostgreSQL server in a container; yields a `postgresql://` URL to its server."""
    from testcontainers.community.postgres import PostgresContainer

    with PostgresContainer(POSTGRES_IMAGE, driver=None) as postgres:
        yield str(postgres.get_connection_url())
