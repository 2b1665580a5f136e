"""The sign-in service's settings (env prefix `SIGNIN_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SigninSettings(ServiceSettings):
    """Where staff accounts live (casework's database) and where sign-in listens."""

    model_config = SettingsConfigDict(env_prefix="SIGNIN_", extra="ignore")

    database_url: str = "sqlite:///var/casework.db"  # casework's database: it owns the accounts
    port: int = 8010
    token_minutes: float = Field(15, gt=0, le=60)
