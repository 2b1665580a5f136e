"""Heard end to end under sustained load, beside the bare pipeline and the floor.

    python -m bench.pipeline --rate 500 --seconds 120          # one sustained window
    python -m bench.pipeline --search 100,200,300,500,700,1000  # saturation search

Starts its own broker, PostgreSQL cluster and the whole system (one process per service)
(or uses KAFKA_BOOTSTRAP_SERVERS / TEST_DATABASE_URL), submits complaints at a fixed rate
(open loop), and prints accepted/s, intake p50/p99, submit -> case and submit -> audit
p50/p99 over the steady part and whether the backlog grew. The saturation search runs
windows at rising rates and reports the highest at which the steady state holds (lag flat,
submit -> case p99 under 1 s). In the same run: the bare pipeline (bench.bare: the same hops
with aiokafka and psycopg only) as the ceiling, Heard's throughput as a fraction of it, the
raw Kafka and PostgreSQL floor, and resident memory idle and loaded.
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
from pathlib import Path

from bench import bare
from bench.floor import run_floor
from bench.stats import summary_ms
from bench.sustained import Window, resident_mib, run_window
from deploy.kafka_broker import KafkaBroker
from deploy.kafka_jars import kafka_libs
from deploy.keys import init_keys
from deploy.ports import free_port
from deploy.postgres import PostgresCluster, create_database, ensure_postgres_installed
from deploy.system import REPO, SERVICES, SIGNIN, HeardSystem, SystemConfig
from shared.bus.wakeup import libpq_url
from shared.ids import new_id


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


@contextmanager
def _system(work: Path, broker: str, server: str) -> Iterator[HeardSystem]:
    prefix = f"bench{new_id().hex[-8:]}."
    keyring = work / "keys"
    init_keys(keyring)
    config = SystemConfig(
        var_dir=work / "system",
        kafka_bootstrap_servers=broker,
        keyring_path=keyring,
        database_urls={
            s: create_database(server, f"bench_{s}_{new_id().hex[-6:]}") for s in SERVICES
        },
        ports={s: free_port() for s in (*SERVICES, SIGNIN)},
        topic_prefix=prefix,
        # Not "production": that refuses a single broker's topics (one replica). Each process
        # still loads only its own keyring from the folder `init_keys` wrote.
        environment="development",
        # The load comes from one address; a real portal sees each child from their own.
        extra_env={"INTAKE_API_SUBMISSION_LIMIT": "10000000"},
    )
    system = HeardSystem(config)
    system.start(timeout=90)
    try:
        yield system
    except BaseException:
        kept = REPO / "var" / "bench-logs" / prefix.rstrip(".")
        shutil.copytree(system.log_dir, kept)
        print(f"the run failed; the services' logs are kept in {kept}", file=sys.stderr)
        raise
    finally:
        system.stop()


def _windows(
    config: SystemConfig, rates: list[float], seconds: float, search: bool
) -> list[Window]:
    windows: list[Window] = []
    for rate in rates:
        start = sum(len(w.sent) for w in windows)
        window = asyncio.run(run_window(config, rate, seconds, start_number=start))
        windows.append(window)
        print("\n".join(window.report()), flush=True)
        if search and not window.holds():
            break
    return windows


def _summary(windows: list[Window], search: bool, bare_rate: float, idle_mib: float) -> list[str]:
    held = [w for w in windows if w.holds()]
    best = max((w.rate for w in held), default=0.0)
    lines = [""]
    if search:
        lines.append(f"saturation: the steady state holds up to {best:.0f} complaints/s")
    sustained = best if search else (windows[-1].rate if windows[-1].holds() else 0.0)
    lines += [
        f"bare pipeline (aiokafka + psycopg, same machine and run): {bare_rate:.0f} complaints/s",
        f"Heard sustained {sustained:.0f}/s = {100 * sustained / bare_rate:.0f}% of the bare one",
        f"resident memory, whole system idle (broker and PostgreSQL included): {idle_mib:.0f} MiB",
    ]
    return lines


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--rate", type=float, default=100.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each window")
    parser.add_argument("--search", help="comma-separated rising rates for a saturation search")
    parser.add_argument("--bare-complaints", type=int, default=20000)
    parser.add_argument("--floor-samples", type=int, default=300)
    parser.add_argument("--bootstrap", help="use this broker (default: KAFKA_BOOTSTRAP_SERVERS)")
    parser.add_argument("--server-url", help="use this PostgreSQL (default: TEST_DATABASE_URL)")
    args = parser.parse_args()
    rates = [float(r) for r in args.search.split(",")] if args.search else [args.rate]
    bootstrap = args.bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    server_url = args.server_url or os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        with _infrastructure(work, bootstrap, server_url) as (broker, server):
            with _system(work, broker, server) as system:
                time.sleep(5)
                idle_mib = resident_mib()
                windows = _windows(system.config, rates, args.seconds, bool(args.search))
            bare_db = libpq_url(create_database(server, f"bench_bare_{new_id().hex[-6:]}"))
            bare_rate = bare.measure(broker, bare_db, args.bare_complaints)
            kafka, postgres = run_floor(
                broker,
                create_database(server, f"bench_floor_{new_id().hex[-6:]}"),
                args.floor_samples,
                750,
            )
    lines = _summary(windows, bool(args.search), bare_rate, idle_mib)
    lines += [
        "floor, same broker and server, 750-byte messages:",
        summary_ms("raw aiokafka produce -> consume", kafka),
        summary_ms("raw PostgreSQL insert + commit", postgres),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
