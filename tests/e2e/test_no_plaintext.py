"""Nothing a child wrote leaves intake readable: not on any topic, not in any log or trace.

A marker is planted in complaints' narratives and contact details (and in rejected
requests, whose errors must not echo it); after the complaints went all the way through,
every topic is read with a plain consumer (no keys) and every process's log and trace file
is read, and the marker must appear nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from deploy.client import HeardClient, sample_complaint
from deploy.system import SERVICES
from shared.bus.topics import TopicNamespace, all_topics
from shared.ids import new_id
from tests.e2e.system import converged_trail, running_system
from tests.support.kafka_io import read_all

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

MARKER = "QUOKKA-" + new_id().hex[-12:].upper()


def _bad_requests() -> list[dict[str, object]]:
    """Requests intake must refuse, each carrying the marker somewhere."""
    unknown_language = {**sample_complaint(0, MARKER), "language": MARKER}
    wrong_type = {**sample_complaint(1, MARKER), "anonymous": MARKER}
    overlong = {**sample_complaint(2), "narrative": MARKER * 3000}
    return [unknown_language, wrong_type, overlong]


async def test_a_planted_marker_appears_on_no_topic_and_in_no_log(
    kafka_bootstrap: str, make_database_url: Callable[[], str], tmp_path: Path
) -> None:
    databases = {service: make_database_url() for service in SERVICES}
    prefix = f"m{new_id().hex[-10:]}."
    with running_system(tmp_path, kafka_bootstrap, databases, prefix=prefix) as system:
        async with HeardClient(system.config) as client:
            answers = [await client.submit(sample_complaint(n, MARKER)) for n in range(6)]
            assert all(a.status_code == 201 for a in answers)
            for bad in _bad_requests():
                refused = await client.submit(bad)
                assert refused.status_code in (413, 422)
                assert MARKER not in str(refused.body)
            accepted = {a.complaint_id for a in answers if a.complaint_id}
            await converged_trail(client, accepted, within=120)

    names = TopicNamespace(prefix)
    seen = 0
    for topic in all_topics():
        for record in await read_all(kafka_bootstrap, names.physical(topic)):
            seen += 1
            raw = [record.key or b"", record.value or b""]
            raw += [name.encode() + (value or b"") for name, value in record.headers]
            assert not any(MARKER.encode() in part for part in raw), f"marker on {topic}"
    assert seen >= 3 * len(accepted)

    files = [*(tmp_path / "logs").glob("*.log"), *(tmp_path / "traces").glob("*.jsonl")]
    assert len(files) >= 12
    for path in files:
        assert MARKER not in path.read_text(encoding="utf-8", errors="replace"), path.name
