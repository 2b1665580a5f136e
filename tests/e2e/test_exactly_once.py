"""The whole system as separate OS processes on a real broker and real PostgreSQL.

- 200 complaints over HTTP: each exactly once in a casework queue and once per event in
  the audit log;
- complaints keep coming while every service, then the broker, is `kill -9`ed and restarted
  and PostgreSQL is stopped as by a power cut: still every accepted complaint exactly once.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.client import HeardClient, Submission, sample_complaint
from deploy.kafka_broker import KafkaBroker
from deploy.postgres import PostgresCluster
from deploy.processes import ManagedProcess
from deploy.system import SERVICES
from shared.ids import new_id
from tests.e2e.system import (
    assert_exactly_once,
    converged_trail,
    count_trail,
    running_system,
    show_counts,
    submit_all,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
# Clients submitting at once while the faults happen.
SUBMITTERS = 3


async def test_200_complaints_each_reach_one_queue_and_one_audit_trail(
    kafka_bootstrap: str, make_database_url: Callable[[], str], tmp_path: Path
) -> None:
    databases = {service: make_database_url() for service in SERVICES}
    prefix = f"e{new_id().hex[-10:]}."
    with running_system(tmp_path, kafka_bootstrap, databases, prefix=prefix) as system:
        async with HeardClient(system.config) as client:
            answers = await submit_all(client, range(200))
            assert [a.status_code for a in answers] == [201] * 200
            accepted = {a.complaint_id for a in answers if a.complaint_id}
            assert len(accepted) == 200
            trail = await converged_trail(client, accepted, within=180)
    assert_exactly_once(trail, accepted)


class Submitter:
    """Submits complaints one after another until stopped, as a careful portal would: each
    under its own idempotency key, sent again (same key) after a refused connection, a
    timeout or a 5xx, until intake answers it; so every complaint is answered exactly once."""

    def __init__(self, client: HeardClient) -> None:
        self._client = client
        self.answers: list[Submission] = []
        self.retries = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        number = 0
        while not self._stop.is_set():
            self.answers.append(await self._submit(sample_complaint(number), str(new_id())))
            number += 1
            await asyncio.sleep(0.02)

    async def _submit(self, complaint: dict[str, Any], key: str) -> Submission:
        while True:
            try:
                answer = await self._client.submit(complaint, idempotency_key=key)
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code < 500:
                return answer
            self.retries += 1
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        self._stop.set()


async def _kill_and_restart(processes: list[ManagedProcess], down: float = 2) -> None:
    for process in processes:
        process.kill()  # SIGKILL: no shutdown code runs
    await asyncio.sleep(down)
    for process in processes:
        process.start()


@pytest.fixture
def own_postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this test's own, which it may crash and restart."""
    data = Path(tempfile.mkdtemp(prefix="heard-pg-crash-"))
    try:
        with PostgresCluster(data) as cluster:
            yield cluster
    finally:
        shutil.rmtree(data, ignore_errors=True)


async def test_kill_9_of_every_part_under_load_loses_and_duplicates_nothing(
    kafka_broker: KafkaBroker, own_postgres: PostgresCluster, tmp_path: Path
) -> None:
    """Under a steady stream of complaints, one after another: `kill -9` of intake (its API
    mid-request and its relay), of triage and casework, of audit (its consumer), of the broker;
    then PostgreSQL stopped with `-m immediate`; each brought back. Then every accepted
    complaint is one case and one audit entry per event, none missing or doubled, and no
    event went to a dead-letter topic."""
    databases = {s: own_postgres.create_database(f"{s}_{new_id().hex[-8:]}") for s in SERVICES}
    with running_system(tmp_path, kafka_broker.bootstrap, databases) as system:
        async with HeardClient(system.config) as client:
            submitters = [Submitter(client) for _ in range(SUBMITTERS)]
            submitting = [asyncio.create_task(s.run()) for s in submitters]
            await asyncio.sleep(4)
            for service in ("intake", "triage", "casework", "audit"):
                await _kill_and_restart(system.processes_of(service))
                await asyncio.sleep(3)
            kafka_broker.kill()
            await asyncio.sleep(3)
            await asyncio.to_thread(kafka_broker.start)
            await asyncio.sleep(5)
            await asyncio.to_thread(own_postgres.crash)
            await asyncio.sleep(3)
            await asyncio.to_thread(own_postgres.start)
            await asyncio.sleep(6)
            for submitter in submitters:
                submitter.stop()
            await asyncio.gather(*submitting)

            assert system.processes.crashed() == [], "a process exited after the outages"
            answers = [a for s in submitters for a in s.answers]
            refused = [a.status_code for a in answers if a.status_code != 201]
            assert not refused, f"intake refused complaints: {refused}"
            accepted = {a.complaint_id for a in answers if a.complaint_id}
            trail = await converged_trail(client, accepted, within=300)
    counts = count_trail(trail, accepted)
    retries = sum(s.retries for s in submitters)
    print(f"{len(accepted)} complaints, {retries} retries\n")  # noqa: T201
    print(show_counts(counts, trail.dead_letters))  # noqa: T201
    assert len(accepted) == len(answers)
    assert all(c.missing == 0 and c.duplicated == 0 for c in counts.values()), counts
    assert trail.dead_letters == 0
    assert_exactly_once(trail, accepted)
