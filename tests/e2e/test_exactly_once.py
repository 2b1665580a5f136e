"""The whole system as separate OS processes on a real broker and real PostgreSQL.

- 200 complaints over HTTP: each exactly once in a casework queue and once per event in
  the audit log;
- complaints keep coming while triage and casework are `kill -9`ed and restarted and the
  broker is restarted: still every accepted complaint exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy.client import HeardClient, Submission, sample_complaint
from deploy.kafka_broker import KafkaBroker
from deploy.system import SERVICES, HeardSystem
from shared.ids import new_id
from tests.e2e.system import assert_exactly_once, converged_trail, running_system, submit_all

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


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
    """Submits complaints one after another until stopped, keeping every answer."""

    def __init__(self, client: HeardClient) -> None:
        self._client = client
        self.answers: list[Submission] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        number = 0
        while not self._stop.is_set():
            self.answers.append(await self._client.submit(sample_complaint(number)))
            number += 1
            await asyncio.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()


def _crash(system: HeardSystem, service: str) -> None:
    for process in system.processes_of(service):
        process.kill()


async def test_crashes_and_a_broker_restart_lose_and_duplicate_nothing(
    kafka_broker: KafkaBroker, make_database_url: Callable[[], str], tmp_path: Path
) -> None:
    databases = {service: make_database_url() for service in SERVICES}
    with running_system(tmp_path, kafka_broker.bootstrap, databases) as system:
        async with HeardClient(system.config) as client:
            submitter = Submitter(client)
            submitting = asyncio.create_task(submitter.run())
            await asyncio.sleep(4)
            for service in ("triage", "casework"):
                _crash(system, service)
            await asyncio.sleep(3)
            for service in ("triage", "casework"):
                for process in system.processes_of(service):
                    process.start()
            await asyncio.sleep(4)
            await asyncio.to_thread(kafka_broker.restart)
            await asyncio.sleep(6)
            submitter.stop()
            await submitting

            assert submitter.answers, "nothing was submitted"
            refused = [a.status_code for a in submitter.answers if a.status_code != 201]
            assert not refused, f"intake refused complaints while others crashed: {refused}"
            accepted = {a.complaint_id for a in submitter.answers if a.complaint_id}
            trail = await converged_trail(client, accepted, within=240)
    assert len(accepted) == len(submitter.answers)
    assert_exactly_once(trail, accepted)
