"""Casework's settings (env prefix `CASEWORK_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    """Casework's database and port."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore")

    database_url: str = "sqlite:///var/casework.db"
    port: int = 8003
