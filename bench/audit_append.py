"""Audit's append rate: the log filled from a topic that already holds the records.

    python -m bench.audit_append --records 50000

Produces `--records` sealed, signed events onto `complaints` first, then starts audit's real
consumer (verify each signature, hash each record, one lock and one multi-row INSERT per
batch) on a fresh PostgreSQL database and prints appends per second until all are in.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.pipeline import _infrastructure
from deploy.postgres import create_database
from services.audit.bootstrap import SERVICE as AUDIT
from services.audit.db import log_size
from services.audit.settings import AuditSettings
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import open_runtime
from tests.support.events import submitted
from tests.support.kafka_io import produce


async def _measure(bootstrap: str, database_url: str, count: int) -> float:
    prefix = f"audit{new_id().hex[-8:]}."
    names = TopicNamespace(prefix)
    await ensure_topics(bootstrap, namespace=names)
    keyring = FileKeyring(new_keyring_document())
    codec = EventCodec(keyring, "intake")
    events = [submitted() for _ in range(count)]
    records = [codec.encode(e, subject=str(e.complaint_id)) for e in events]
    await produce(bootstrap, names.physical("complaints"), records)
    upgrade(database_url, AUDIT.migrations)
    settings = AuditSettings(
        database_url=database_url, KAFKA_BOOTSTRAP_SERVERS=bootstrap, HEARD_TOPIC_PREFIX=prefix
    )
    stop = asyncio.Event()
    async with open_runtime("audit", settings, keyring) as runtime:
        started = time.monotonic()
        consuming = asyncio.create_task(run_consumer(AUDIT, runtime, stop))
        while True:
            async with runtime.sessions() as session:
                if await log_size(session) >= count:
                    break
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - started
        stop.set()
        await consuming
    return count / elapsed


def main() -> None:
    """Fill a topic, then time audit's consumer appending it."""
    parser = argparse.ArgumentParser(prog="python -m bench.audit_append", description=__doc__)
    parser.add_argument("--records", type=int, default=50000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        server = os.environ.get("TEST_DATABASE_URL")
        with _infrastructure(work, bootstrap, server) as (broker, server_url):
            database = create_database(server_url, f"bench_audit_{new_id().hex[-8:]}")
            rate = asyncio.run(_measure(broker, database, args.records))
    print(f"audit: {args.records} records appended at {rate:.0f} appends/s")


if __name__ == "__main__":
    main()
