"""Audit's settings (env prefix `AUDIT_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class AuditSettings(ServiceSettings):
    """Audit's database and port, and how its transparency log is named and integrated."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    database_url: str = "sqlite:///var/audit.db"
    port: int = 8004
    # tlog-tiles: the scheme-less URL prefix of the log; also its key's name in signed notes.
    log_origin: str = Field("localhost/heard/audit/log", pattern=r"^[^\s+]{1,200}$")
    checkpoint_interval: float = Field(2.0, ge=0.05, le=3600, description="seconds")
    integrate_batch: int = Field(50_000, ge=1, le=1_000_000)
