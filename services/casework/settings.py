"""Casework's settings (env prefix `CASEWORK_`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.casework.model import Clocks
from services.casework.paging import (
    EmailNotifier,
    FileNotifier,
    Notifier,
    SmsNotifier,
    WebhookNotifier,
)
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
    signin_url: str = "http://127.0.0.1:8010"  # where the console sends a browser to sign in
    # Paging the on-call staff about P1 cases and breached deadlines.
    pager: Literal["file", "email", "webhook", "sms"] = "file"
    pager_file: Path = Path("var/pages.jsonl")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    pager_from: str = "heard@localhost"
    pager_to: str = "on-call@localhost"
    pager_webhook: str = "http://127.0.0.1:9/pages"
    pager_sms_url: str = "http://127.0.0.1:9/sms"  # the SMS gateway's send endpoint
    pager_sms_to: str = ""  # comma-separated on-call numbers
    pager_sms_token: SecretStr | None = None
    repage_minutes: float = Field(10, gt=0)

    def clocks(self) -> Clocks:
        """The legal clocks these settings configure."""
        return Clocks(
            admissibility=timedelta(days=self.admissibility_days),
            duty_bearer_response=timedelta(days=self.duty_bearer_response_days),
            follow_up=timedelta(days=self.follow_up_days),
        )

    def notifier(self) -> Notifier:
        """The pager adapter these settings choose."""
        if self.pager == "email":
            recipients = tuple(r.strip() for r in self.pager_to.split(",") if r.strip())
            return EmailNotifier(self.smtp_host, self.smtp_port, self.pager_from, recipients)
        if self.pager == "webhook":
            return WebhookNotifier(self.pager_webhook)
        if self.pager == "sms":
            numbers = tuple(n.strip() for n in self.pager_sms_to.split(",") if n.strip())
            token = self.pager_sms_token.get_secret_value() if self.pager_sms_token else None
            return SmsNotifier(self.pager_sms_url, numbers, token)
        return FileNotifier(self.pager_file)
