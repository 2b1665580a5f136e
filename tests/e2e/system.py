"""Start the whole of Heard as OS processes for a test, and check what it converged to."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.client import HeardClient, Submission, sample_complaint
from deploy.keys import init_keys
from deploy.ports import free_port
from deploy.system import SERVICES, SIGNIN, HeardSystem, SystemConfig

AUDITED_TYPES = (
    "heard.complaint.submitted.v1",
    "heard.complaint.triaged.v1",
    "heard.case.opened.v1",
)


@contextmanager
def running_system(
    var_dir: Path, bootstrap: str, database_urls: dict[str, str], *, prefix: str = ""
) -> Iterator[HeardSystem]:
    """Heard (one process per service) on `bootstrap` and the given databases, then stopped."""
    keyring = var_dir / "keys"
    init_keys(keyring)
    config = SystemConfig(
        var_dir=var_dir,
        kafka_bootstrap_servers=bootstrap,
        keyring_path=keyring,
        database_urls=database_urls,
        ports={service: free_port() for service in (*SERVICES, SIGNIN)},
        topic_prefix=prefix,
        environment="test",
        traces_dir=var_dir / "traces",
        # Every test client submits from one address, faster than any one child could: the
        # per-client limit (tested on its own) would refuse the load these tests need.
        extra_env={"INTAKE_API_SUBMISSION_LIMIT": "1000000"},
    )
    system = HeardSystem(config)
    system.start(timeout=90)
    try:
        yield system
    finally:
        system.stop()


async def submit_all(
    client: HeardClient, numbers: Iterable[int], *, parallel: int = 16
) -> list[Submission]:
    """Submit `sample_complaint(n)` for each n, `parallel` at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(number: int) -> Submission:
        async with gate:
            return await client.submit(sample_complaint(number))

    return await asyncio.gather(*(one(n) for n in numbers))


@dataclass(frozen=True)
class Trail:
    """What casework's queues and audit's log hold, per complaint."""

    in_queues: Counter[str]
    audited: dict[str, Counter[str]]
    dead_letters: int

    def complete_for(self, complaint_ids: set[str]) -> bool:
        """Whether every complaint is queued and has all three events in the log."""
        return all(
            self.in_queues[c] >= 1
            and all(self.audited.get(c, Counter())[t] >= 1 for t in AUDITED_TYPES)
            for c in complaint_ids
        )


async def read_trail(client: HeardClient) -> Trail:
    """Read every queue and the whole audit log over HTTP."""
    queued = Counter(await client.queued_complaints())
    audited: dict[str, Counter[str]] = {}
    dead = 0
    for entry in await client.audit_entries():
        if entry["dlq_reason"] is not None:
            dead += 1
        elif entry["type"] in AUDITED_TYPES:
            # Only the complaint's own trail: statistics travel under pseudonymous subjects.
            audited.setdefault(entry["subject"], Counter())[entry["type"]] += 1
    return Trail(queued, audited, dead)


async def converged_trail(client: HeardClient, complaint_ids: set[str], *, within: float) -> Trail:
    """Wait until every complaint is queued and audited, then settle and read once more.

    The final read comes after a pause so that a late duplicate (a replay after a
    crash) would have time to show up and fail the caller's exactly-once check.
    """
    deadline = asyncio.get_running_loop().time() + within
    trail = await read_trail(client)
    while not trail.complete_for(complaint_ids):
        if asyncio.get_running_loop().time() > deadline:
            missing_queue = [c for c in complaint_ids if trail.in_queues[c] == 0]
            missing_audit = [c for c in complaint_ids if c not in trail.audited]
            raise AssertionError(
                f"not converged in {within}s: {len(missing_queue)} complaints not in a queue, "
                f"{len(missing_audit)} not in the audit log"
            )
        await asyncio.sleep(1)
        trail = await read_trail(client)
    await asyncio.sleep(3)
    return await read_trail(client)


def assert_exactly_once(trail: Trail, complaint_ids: set[str]) -> None:
    """Each accepted complaint is in exactly one queue once and in the log once per event."""
    assert set(trail.in_queues) == complaint_ids
    duplicated = {c: n for c, n in trail.in_queues.items() if n != 1}
    assert not duplicated, f"complaints queued more than once: {duplicated}"
    assert set(trail.audited) == complaint_ids
    for complaint_id in complaint_ids:
        assert trail.audited[complaint_id] == Counter(AUDITED_TYPES), complaint_id
    assert trail.dead_letters == 0


@dataclass(frozen=True)
class Count:
    """Of the accepted complaints: how many are present exactly once, missing, duplicated."""

    accepted: int
    present_once: int
    missing: int
    duplicated: int


def count_trail(trail: Trail, complaint_ids: set[str]) -> dict[str, Count]:
    """The count for cases (casework's queues) and for each audited event type."""
    counts = {"cases": _count({c: trail.in_queues[c] for c in complaint_ids})}
    for kind in AUDITED_TYPES:
        seen = {c: trail.audited.get(c, Counter())[kind] for c in complaint_ids}
        counts[kind] = _count(seen)
    return counts


def _count(seen: dict[str, int]) -> Count:
    times = Counter(min(n, 2) for n in seen.values())
    return Count(len(seen), times[1], times[0], times[2])


def show_counts(counts: dict[str, Count], dead_letters: int) -> str:
    """The counts as a table, for the test's output."""
    lines = [f"{'':32} accepted  once  missing  duplicated"]
    for name, c in counts.items():
        lines.append(f"{name:32} {c.accepted:8} {c.present_once:5} {c.missing:8} {c.duplicated:11}")
    return "\n".join([*lines, f"dead letters: {dead_letters}"])
