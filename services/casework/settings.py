"""Casework's settings (env prefix `CASEWORK_`)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.casework.model import Clocks
from shared.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    """Casework's database, port and legal clocks."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore")

    database_url: str = "sqlite:///var/casework.db"
    port: int = 8003
    admissibility_days: float = Field(30, gt=0)
    duty_bearer_response_days: float = Field(90, gt=0)
    follow_up_days: float = Field(182, gt=0)  # OPIC: the State's response within six months
    scheduler_interval_seconds: float = Field(30, gt=0)
    run_scheduler: bool = True

    def clocks(self) -> Clocks:
        """The legal clocks these settings configure."""
        return Clocks(
            admissibility=timedelta(days=self.admissibility_days),
            duty_bearer_response=timedelta(days=self.duty_bearer_response_days),
            follow_up=timedelta(days=self.follow_up_days),
        )
