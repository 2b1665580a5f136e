"""A retried failure is logged when the outage starts and when it ends, not per retry."""

from __future__ import annotations

import logging
import time

import pytest

from shared.log_outages import OutageFilter


def test_repeats_are_collapsed_into_one_outage_with_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    library = logging.getLogger("test.library.kafka.fetcher")
    outage = OutageFilter(prefixes=("test.library",), quiet_seconds=0.2)
    library.addFilter(outage)
    try:
        with caplog.at_level(logging.INFO):
            for _ in range(200):
                library.error("Unable connect to node with id %s: %s", 1, "refused")
            library.info("connected")  # not a failure: always passes
            time.sleep(0.25)
            outage.end_quiet_streaks()
    finally:
        library.removeFilter(outage)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "outage began: Unable connect to node with id 1: refused"
    assert messages[1] == "connected"
    assert messages[2].startswith("outage ended after ")
    assert "(199 repeats not logged)" in messages[2]
    assert len(messages) == 3
