"""Triage's settings (env prefix `TRIAGE_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

RULES_DIR = Path(__file__).parent / "rules"


class TriageSettings(ServiceSettings):
    """Triage's database, port and rule set."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore")

    database_url: str = "sqlite:///var/triage.db"
    port: int = 8002
    rule_set: Path = RULES_DIR / "default-v1.yaml"
