"""A service's consumer end to end: how fast it drains a topic that already holds the records.

    python -m bench.consumer --service audit --records 50000
    python -m bench.consumer --service triage --records 20000

Produces `--records` sealed, signed `complaint submitted` events onto `complaints` first, then
starts the service's real consumer (decode or verify, batch apply, inbox, outbox) on a fresh
PostgreSQL database and prints records applied per second until all are in: for audit, log
appends (signature verified, record hashed, one lock and one INSERT per batch); for triage,
decisions made, stored and emitted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bench.pipeline import _infrastructure
from deploy.postgres import create_database
from services.registry import service
from shared.bus.inbox import InboxEntry
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from tests.support.events import submitted
from tests.support.kafka_io import produce


async def _applied(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return (await session.exec(select(func.count()).select_from(InboxEntry))).one()


async def _measure(declared: Service[Any], bootstrap: str, database_url: str, count: int) -> float:
    prefix = f"bench{new_id().hex[-8:]}."
    names = TopicNamespace(prefix)
    await ensure_topics(bootstrap, namespace=names)
    keyring = FileKeyring(new_keyring_document())
    codec = EventCodec(keyring, "intake")
    events = [submitted() for _ in range(count)]
    records = [codec.encode(e, subject=str(e.complaint_id)) for e in events]
    await produce(bootstrap, names.physical("complaints"), records)
    upgrade(database_url, declared.migrations)
    settings = declared.settings(
        database_url=database_url, KAFKA_BOOTSTRAP_SERVERS=bootstrap, HEARD_TOPIC_PREFIX=prefix
    )
    stop = asyncio.Event()
    async with open_runtime(declared.name, settings, keyring) as runtime:
        started = time.monotonic()
        consuming = asyncio.create_task(run_consumer(declared, runtime, stop))
        while True:
            if await _applied(runtime) >= count:
                break
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - started
        stop.set()
        await consuming
    return count / elapsed


def main() -> None:
    """Fill a topic, then time the service's consumer draining it."""
    parser = argparse.ArgumentParser(prog="python -m bench.consumer", description=__doc__)
    parser.add_argument("--service", choices=["audit", "triage"], default="audit")
    parser.add_argument("--records", type=int, default=50000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        server = os.environ.get("TEST_DATABASE_URL")
        with _infrastructure(work, bootstrap, server) as (broker, server_url):
            database = create_database(server_url, f"bench_consumer_{new_id().hex[-8:]}")
            rate = asyncio.run(_measure(service(args.service), broker, database, args.records))
    print(f"{args.service}: {args.records} records applied at {rate:.0f} records/s")


if __name__ == "__main__":
    main()
