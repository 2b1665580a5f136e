"""Repeated failures logged as one outage: when it starts, and when it ends with its length.

A client library retrying a lost broker logs the same error dozens of times a second; what an
operator needs is one line when it starts and one when it is over. `OutageFilter` lets the
first record of a kind through (marked as the start of an outage), drops its repeats, and a
background thread logs the end once no repeat has come for `quiet_seconds`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger("heard.outage")


@dataclass
class _Streak:
    started: float
    last: float
    repeats: int = 0


class OutageFilter(logging.Filter):
    """Collapses repeated WARNING-or-worse records of the loggers under `prefixes` (put it on a
    handler: a logger's own filters do not see its children's records) into outages."""

    def __init__(self, prefixes: tuple[str, ...], quiet_seconds: float = 5.0) -> None:
        super().__init__()
        self._prefixes = prefixes
        self._quiet = quiet_seconds
        self._streaks: dict[str, _Streak] = {}
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="outage-ends", daemon=True)
        self._watcher.start()

    def filter(self, record: logging.LogRecord) -> bool:
        """Let the first of a kind through, drop its repeats."""
        if record.levelno < logging.WARNING or not record.name.startswith(self._prefixes):
            return True
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        with self._lock:
            streak = self._streaks.get(key)
            if streak is not None:
                streak.last, streak.repeats = now, streak.repeats + 1
                return False
            self._streaks[key] = _Streak(now, now)
        record.msg = f"outage began: {record.msg}"
        return True

    def _watch(self) -> None:
        while True:
            time.sleep(min(1.0, self._quiet))
            self.end_quiet_streaks()

    def end_quiet_streaks(self) -> None:
        """Log the end of every outage that has been quiet for `quiet_seconds`."""
        now = time.monotonic()
        with self._lock:
            ended = {k: s for k, s in self._streaks.items() if now - s.last >= self._quiet}
            for key in ended:
                del self._streaks[key]
        for key, streak in ended.items():
            if not streak.repeats:
                continue  # a one-off message, not an outage
            log.warning(
                "outage ended after %.1f s (%d repeats not logged): %s",
                streak.last - streak.started,
                streak.repeats,
                key.split(":", 1)[0],
            )
