"""A throwaway intake portal for browsers, screenshots and benchmarks: a fresh keyring and
SQLite database in a folder, the real app served by uvicorn on a free port in a thread.

No broker is needed: the portal commits to its database and outbox; nothing is relayed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from services.intake.app import create_app
from services.intake.bootstrap import SERVICE as SPEC
from services.intake.settings import IntakeSettings
from shared.auth import ensure_issuer_files
from shared.crypto.keyring import init_keyring_file
from shared.db.migrations import upgrade


@dataclass(frozen=True)
class LocalPortal:
    """Where the portal answers, and the settings it runs with."""

    url: str
    settings: IntakeSettings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def portal_settings(folder: Path, **changes: object) -> IntakeSettings:
    """Settings for a fresh portal in `folder` (keyring made, database migrated)."""
    keyring = folder / "keyring.json"
    if not keyring.exists():
        init_keyring_file(keyring)
        ensure_issuer_files(folder)
    url = f"sqlite:///{folder / 'intake.db'}"
    upgrade(url, SPEC.migrations)
    settings = IntakeSettings(database_url=url, HEARD_KEYRING=keyring, environment="test")
    return settings.model_copy(update=changes)


@contextmanager
def local_portal(folder: Path, **changes: object) -> Iterator[LocalPortal]:
    """Serve intake from `folder` until the block ends."""
    settings = portal_settings(folder, **changes)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="intake-portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the local portal did not start")
        time.sleep(0.02)
    try:
        yield LocalPortal(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
