"""Audit's settings (env prefix `AUDIT_`)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class WitnessRef(BaseModel):
    """A witness the log submits its checkpoints to: its URL prefix and cosigner key."""

    url: str = Field(pattern=r"^https?://")
    key: str = Field(min_length=1, max_length=400)


class AuditSettings(ServiceSettings):
    """Audit's database and port, and how its transparency log is named and integrated."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    database_url: str = "sqlite:///var/audit.db"
    port: int = 8004
    # tlog-tiles: the scheme-less URL prefix of the log; also its key's name in signed notes.
    log_origin: str = Field("localhost/heard/audit/log", pattern=r"^[^\s+]{1,200}$")
    checkpoint_interval: float = Field(2.0, ge=0.05, le=3600, description="seconds")
    integrate_batch: int = Field(50_000, ge=1, le=1_000_000)
    # JSON, e.g. AUDIT_WITNESSES='[{"url": "http://127.0.0.1:8010", "key": "w+1a2b3c4d+BA..."}]'
    witnesses: list[WitnessRef] = Field(default_factory=list, max_length=20)
