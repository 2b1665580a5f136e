"""Triage's settings (env prefix `TRIAGE_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

RULES_DIR = Path(__file__).parent / "rules"
CORPUS_DIR = Path(__file__).parent / "corpus"


class TriageSettings(ServiceSettings):
    """Triage's database, port, rule set, response targets and pattern thresholds."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore")

    database_url: str = "sqlite:///var/triage.db"
    port: int = 8002
    # A rule file may be up to 1 MB; everything else triage accepts is far smaller.
    max_body_bytes: int = Field(default=1_100_000, ge=1024)
    rule_set: Path = RULES_DIR / "heard-2026.11.yaml"
    corpus: Path = CORPUS_DIR
    p1_hours: int = Field(default=1, ge=1, le=72, description="P1: answer within (hours)")
    p2_hours: int = Field(default=24, ge=1, le=720)
    p3_days: int = Field(default=7, ge=1, le=90)
    pattern_threshold: int = Field(default=3, ge=2, le=10000, description="complaints per window")
    pattern_window_days: int = Field(default=90, ge=1, le=3650)
