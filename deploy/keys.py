"""The single machine's keyrings, laid out from the service registry: which service holds
which topic's data keys follows from what each one emits and opens."""

from __future__ import annotations

from pathlib import Path

from services.registry import SERVICES
from shared.auth import ensure_issuer_files
from shared.crypto.keyfiles import init_keyring_dir


def holdings() -> dict[str, tuple[str, ...]]:
    """Each service and the topics whose data keys it holds."""
    return {service.name: service.key_topics for service in SERVICES}


def init_keys(directory: Path) -> None:
    """One keyring per service in `directory`, the public keys, and the staff-token issuer's
    key with its published key set (only the sign-in process and `heard token` read the
    private one)."""
    init_keyring_dir(directory, holdings())
    ensure_issuer_files(directory)


def ensure_keys(directory: Path) -> bool:
    """Create the keyrings unless they exist; True if created."""
    if (directory / "public.json").exists():
        return False
    init_keys(directory)
    return True
