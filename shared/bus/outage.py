"""Logging an outage once when it starts and once when it ends, not once per retry."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("heard.outage")


class Outage:
    """Tracks one component's outage: `began` on every failed try, `ended` on success."""

    def __init__(self, who: str) -> None:
        self._who = who
        self._since: float | None = None

    @property
    def ongoing(self) -> bool:
        """Whether the last try failed."""
        return self._since is not None

    def began(self, error: BaseException) -> None:
        """A try failed: log it if this is the first failure of the outage."""
        if self._since is None:
            self._since = time.monotonic()
            log.warning("%s: outage began (%s); retrying", self._who, type(error).__name__)

    def ended(self) -> None:
        """A try succeeded: log the outage's length if there was one."""
        if self._since is not None:
            seconds = time.monotonic() - self._since
            log.warning("%s: outage ended after %.1f s", self._who, seconds)
            self._since = None
