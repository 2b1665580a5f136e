"""Intake's settings (env prefix `INTAKE_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Intake's database, port, body limit and how often a client may look a receipt up."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    database_url: str = "sqlite:///var/intake.db"
    port: int = Field(8001, ge=0, le=65535)
    # A narrative may hold 20,000 characters; JSON escapes a non-ASCII one in up to 12 bytes
    # (a surrogate pair), so the shared 64 KiB would refuse narratives the contract accepts.
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    status_lookup_limit: int = Field(30, ge=1, description="lookups per client per window")
    status_lookup_window_seconds: float = Field(600.0, gt=0)
    status_lookup_max_clients: int = Field(100_000, ge=1, description="clients tracked at once")
    # The web form is for one person at a time; the JSON API serves the phone console and
    # partners (and load tests) from few addresses, so its bucket is larger.
    submission_limit: int = Field(10, ge=1, description="web complaints per client per window")
    submission_window_seconds: float = Field(3600.0, gt=0)
    api_submission_limit: int = Field(1200, ge=1, description="API complaints per client")
    api_submission_window_seconds: float = Field(60.0, gt=0)
    # The web form's optional proof of work (2^bits SHA-256 on average; 0 turns it off) and
    # what a submission without it gets: a stricter per-client limit and a global budget.
    work_bits: int = Field(12, ge=0, le=24)
    work_max_age_seconds: float = Field(4 * 3600.0, gt=0, description="time to write the form")
    no_work_submission_limit: int = Field(3, ge=1, description="per client per window")
    no_work_flood_rate: float = Field(5.0, gt=0, description="work-less web posts/s, all clients")
    no_work_flood_burst: int = Field(50, ge=1)
    # A wrong receipt code is refused no sooner than a right one is answered.
    lookup_floor_seconds: float = Field(0.25, ge=0)
    # Old-form codes (20 symbols, before 16-digit codes) open their complaint this long.
    legacy_code_days: int = Field(365, ge=0)
    # The audit log's public URL (tlog-tiles `/log`), where receipts' proofs are fetched,
    # and the keys a receipt is checked against: the log's signed-note verifier key and the
    # witnesses' cosignature/v1 keys (the same keys `heard receipt verify` is given).
    log_url: str = Field("http://127.0.0.1:8004/log", pattern=r"^https?://")
    log_key: str | None = Field(None, max_length=400)
    witness_keys: list[str] = Field(default_factory=list, max_length=20)
    # What the portal shows on every page (the country's own numbers in production).
    emergency_number: str = "112"
    child_helpline_number: str = "116 111"
    # Unset: "the national reporting hotline", translated; set it to the hotline's own name.
    reporting_hotline_name: str | None = None
    reporting_hotline_url: str = "https://www.inhope.org/EN"
    quick_exit_url: str = "https://www.wikipedia.org/"
    # The SMS provider's shared secret for signed webhooks (SecretStr: never logged).
    sms_webhook_secret: SecretStr | None = None
    sms_max_age_seconds: int = Field(300, ge=10)
