"""Heard end to end under load, with the floor measured in the same run.

    python -m bench.pipeline --complaints 1000 --rate 50

Starts its own broker, PostgreSQL cluster and the whole system as processes (or uses
KAFKA_BOOTSTRAP_SERVERS / TEST_DATABASE_URL when set), submits complaints at the target
rate (open loop: a slow answer does not delay the next send), waits until every one is in
a casework queue and in the audit log, and prints:

- complaints accepted per second; intake latency p50/p99;
- submit -> case in a queue, submit -> audit entry (of the submission and of the case);
- the floor: a raw aiokafka produce -> consume round trip of same-sized messages and a
  raw PostgreSQL insert + commit, on the same broker and server.

Latencies past intake are server timestamps (case `opened_at`, audit `appended_at`) minus
the client's send time, on one machine and one clock.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from bench.floor import run_floor
from bench.stats import summary_ms
from deploy.client import HeardClient, Submission, sample_complaint
from deploy.kafka_broker import KafkaBroker
from deploy.kafka_jars import kafka_libs
from deploy.ports import free_port
from deploy.postgres import PostgresCluster, create_database, ensure_postgres_installed
from deploy.system import REPO, SERVICES, HeardSystem, SystemConfig
from shared.clock import utcnow
from shared.crypto.keyring import FileKeyring, init_keyring_file, new_keyring_document
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintSubmitted
from shared.ids import new_id

SUBMITTED = "heard.complaint.submitted.v1"
OPENED = "heard.case.opened.v1"


@contextmanager
def _infrastructure(
    work: Path, bootstrap: str | None, server_url: str | None
) -> Iterator[tuple[str, str]]:
    """A broker and a PostgreSQL server: the given ones, or private ones under `work`."""
    with ExitStack() as stack:
        if bootstrap is None:
            broker = stack.enter_context(KafkaBroker(work / "kafka", libs=kafka_libs(REPO / "var")))
            bootstrap = broker.bootstrap
        if server_url is None:
            ensure_postgres_installed()
            cluster = stack.enter_context(PostgresCluster(work / "pg"))
            server_url = cluster.url()
        yield bootstrap, server_url


async def _submit_at_rate(
    client: HeardClient, count: int, rate: float
) -> list[tuple[float, Submission]]:
    """Send complaint i at start + i/rate; each with its wall-clock send time."""
    start = time.monotonic()

    async def one(number: int) -> tuple[float, Submission]:
        await asyncio.sleep(max(0.0, start + number / rate - time.monotonic()))
        sent = time.time()
        return sent, await client.submit(sample_complaint(number))

    return await asyncio.gather(*(one(n) for n in range(count)))


def _sealed_size() -> int:
    """Bytes of one sealed `complaint submitted` record (value plus headers), as relayed."""
    codec = EventCodec(FileKeyring(new_keyring_document()), "intake")
    event = ComplaintSubmitted.model_validate(
        {**sample_complaint(0), "complaint_id": new_id(), "submitted_at": utcnow()}
    )
    record = codec.encode(event, subject=str(event.complaint_id))
    return len(record.value) + sum(len(k) + len(v) for k, v in record.headers)


def _stamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


async def _wait_until_done(
    client: HeardClient, ids: set[str], within: float
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """When each case was opened and each event audited, once all are there."""
    deadline = time.monotonic() + within
    while True:
        opened = {
            str(i["complaint_id"]): _stamp(i["opened_at"]) for i in await client.queue_items()
        }
        audited: dict[str, dict[str, float]] = {}
        for entry in await client.audit_entries():
            if entry["subject"] in ids:
                audited.setdefault(entry["subject"], {})[entry["type"]] = _stamp(
                    entry["appended_at"]
                )
        # Audit reads each topic on its own, so a case's entry may land before its submission's.
        if all(c in opened and {SUBMITTED, OPENED} <= audited.get(c, {}).keys() for c in ids):
            return opened, audited
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(opened)} of {len(ids)} cases opened after {within}s")
        await asyncio.sleep(0.5)


async def _measure(config: SystemConfig, count: int, rate: float) -> list[str]:
    async with HeardClient(config) as client:
        first = time.monotonic()
        sent = await _submit_at_rate(client, count, rate)
        elapsed = time.monotonic() - first
        accepted = {s.complaint_id: t for t, s in sent if s.complaint_id}
        opened, audited = await _wait_until_done(client, set(accepted), within=max(120, count))
    lines = [
        f"complaints submitted {count} at target {rate:.0f}/s; accepted {len(accepted)}",
        f"{'accepted per second':<38} {len(accepted) / elapsed:8.1f}",
        summary_ms("intake latency (HTTP 201)", [s.seconds for _, s in sent]),
        summary_ms("submit -> case in queue", [opened[c] - t for c, t in accepted.items()]),
        summary_ms(
            "submit -> audit entry (submission)",
            [audited[c][SUBMITTED] - t for c, t in accepted.items()],
        ),
        summary_ms(
            "submit -> audit entry (case opened)",
            [audited[c][OPENED] - t for c, t in accepted.items()],
        ),
    ]
    return lines


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="target submissions per second")
    parser.add_argument("--floor-samples", type=int, default=500)
    parser.add_argument(
        "--bootstrap", help="use this broker (default: KAFKA_BOOTSTRAP_SERVERS or a private one)"
    )
    parser.add_argument(
        "--server-url",
        help="use this PostgreSQL server (default: TEST_DATABASE_URL or a private one)",
    )
    args = parser.parse_args()
    bootstrap = args.bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    server_url = args.server_url or os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        with _infrastructure(work, bootstrap, server_url) as (broker, server):
            prefix = f"bench{new_id().hex[:8]}."
            keyring = work / "keyring.json"
            init_keyring_file(keyring)
            config = SystemConfig(
                var_dir=work / "system",
                kafka_bootstrap_servers=broker,
                keyring_path=keyring,
                database_urls={
                    s: create_database(server, f"bench_{s}_{new_id().hex[:6]}") for s in SERVICES
                },
                ports={s: free_port() for s in SERVICES},
                topic_prefix=prefix,
                environment="production",
            )
            system = HeardSystem(config)
            system.start(timeout=90)
            try:
                lines = asyncio.run(_measure(config, args.complaints, args.rate))
            except BaseException:
                kept = REPO / "var" / "bench-logs" / prefix.rstrip(".")
                shutil.copytree(system.log_dir, kept)
                print(f"the run failed; the services' logs are kept in {kept}", file=sys.stderr)
                raise
            finally:
                system.stop()
            size = _sealed_size()
            kafka, postgres = run_floor(
                broker,
                create_database(server, f"bench_floor_{new_id().hex[:6]}"),
                args.floor_samples,
                size,
            )
    lines += [
        f"floor, same broker and server, {size}-byte messages:",
        summary_ms("raw aiokafka produce -> consume", kafka),
        summary_ms("raw PostgreSQL insert + commit", postgres),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
