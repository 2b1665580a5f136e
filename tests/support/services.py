"""A service's database for unit tests: a SQLite file with the service's migrations applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.db.migrations import upgrade
from shared.service import Service


def migrated_sqlite(directory: Path, spec: Service[Any]) -> str:
    """The URL of a new SQLite file in `directory`, migrated to `spec`'s head."""
    url = f"sqlite:///{directory / f'{spec.name}.db'}"
    upgrade(url, spec.migrations)
    return url
