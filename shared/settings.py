"""Settings every service shares; each service subclasses with its own env prefix.

Built in `create_app()` or `main()`, never at import. The broker and keyring are set
once for the whole system (`KAFKA_BOOTSTRAP_SERVERS`, `HEARD_KEYRING`); the database
and port per service (`INTAKE_DATABASE_URL`, `INTAKE_PORT`, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What any Heard service process needs to start."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="HEARD_ENV"
    )
    database_url: str = "sqlite:///var/heard.db"
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS"
    )
    topic_prefix: str = Field(
        "", validation_alias="HEARD_TOPIC_PREFIX", pattern=r"^[a-zA-Z0-9._-]*$"
    )
    # A directory of per-service keyrings (`heard keys init`), or one complete keyring file.
    keyring_path: Path = Field(Path("var/keys"), validation_alias="HEARD_KEYRING")
    # The staff-token issuer's public keys and revocation list (not its private key);
    # by default beside the keyring.
    staff_keys: Path | None = Field(None, validation_alias="HEARD_STAFF_KEYS")
    # Production sign-in: an OIDC provider's tokens instead (all three set, or none).
    oidc_issuer: str | None = Field(None, validation_alias="HEARD_OIDC_ISSUER")
    oidc_audience: str = Field("heard-staff", validation_alias="HEARD_OIDC_AUDIENCE")
    oidc_jwks_url: str | None = Field(None, validation_alias="HEARD_OIDC_JWKS_URL")
    # Topics: 1/1 on one machine; production refuses fewer than 3 replicas, 2 in sync.
    topic_replication_factor: int = Field(
        1, ge=1, le=16, validation_alias="HEARD_TOPIC_REPLICATION_FACTOR"
    )
    topic_min_insync_replicas: int = Field(
        1, ge=1, le=16, validation_alias="HEARD_TOPIC_MIN_INSYNC_REPLICAS"
    )
    # Published outbox rows and inbox rows are purged after these many days; the inbox's
    # window must outlast any redelivery (Kafka's retention, a re-driven dead letter).
    outbox_retention_days: float = Field(
        7, gt=0, le=3650, validation_alias="HEARD_OUTBOX_RETENTION_DAYS"
    )
    inbox_retention_days: float = Field(
        90, gt=0, le=3650, validation_alias="HEARD_INBOX_RETENTION_DAYS"
    )
    traces_file: Path | None = Field(None, validation_alias="HEARD_TRACES_FILE")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    # Longer than any client's or proxy's idle timeout (httpx: 5 s, nginx: 60 s), so the server
    # never closes a pooled connection just as a client sends on it: a child's POST would fail.
    keep_alive_seconds: int = Field(75, ge=1)

    def staff_keys_folder(self) -> Path:
        """Where the staff-token issuer publishes its public keys and revocation list."""
        if self.staff_keys is not None:
            return self.staff_keys
        # Beside the keyrings: in their directory, or beside a single keyring file.
        return self.keyring_path if self.keyring_path.is_dir() else self.keyring_path.parent
