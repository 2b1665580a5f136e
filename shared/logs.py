"""Structured JSON logs that carry no child data.

Only the message and an allow-list of extra fields are written; Heard's own code logs
ids and reason codes, never payloads, and the allow-list keeps a careless `extra=` out.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from shared.log_outages import OutageFilter

SAFE_FIELDS = ("reason", "origin", "event_type", "event_id", "complaint_id", "case_id", "status")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and safe extras."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as JSON, dropping tracebacks' local detail."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({f: getattr(record, f) for f in SAFE_FIELDS if hasattr(record, f)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def setup_logging(service: str, level: int = logging.INFO) -> None:
    """Send every logger's output as JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    # A lost broker makes aiokafka log the same errors dozens of times a second.
    handler.addFilter(OutageFilter(prefixes=("aiokafka",)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # These libraries log statements with their parameters or payloads at DEBUG/INFO, which
    # would carry a child's words; they speak here only when something is wrong.
    for noisy in ("aiokafka", "aiosqlite", "sqlalchemy.engine", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
