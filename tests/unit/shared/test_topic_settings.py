"""Replication from settings: 1/1 on one machine, and a production process refuses less than
3 replicas with 2 in sync. Bad settings tried: production with the 1/1 default, with 3/1,
with 2/2; `min.insync.replicas` above the replication factor; a factor of 0."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.intake.bootstrap import SERVICE as INTAKE
from services.intake.settings import IntakeSettings
from shared.bus.topics import Replication
from shared.errors import ConfigurationError
from shared.runner import run_role
from shared.settings import ServiceSettings


def _settings(**values: object) -> ServiceSettings:
    return ServiceSettings.model_validate(values)


def test_one_machine_gets_one_replica_one_in_sync() -> None:
    assert Replication.of(_settings()) == Replication(1, 1)


def test_dead_letter_topics_keep_their_records_until_deleted() -> None:
    copies = Replication(3, 2)
    assert copies.topic_configs("complaints.dlq") == {
        "min.insync.replicas": "2",
        "retention.ms": "-1",
    }
    assert copies.topic_configs("complaints") == {"min.insync.replicas": "2"}


@pytest.mark.parametrize(("factor", "in_sync"), [(1, 1), (3, 1), (2, 2)])
def test_production_refuses_weaker_replication(factor: int, in_sync: int) -> None:
    settings = _settings(
        HEARD_ENV="production",
        HEARD_TOPIC_REPLICATION_FACTOR=factor,
        HEARD_TOPIC_MIN_INSYNC_REPLICAS=in_sync,
    )
    with pytest.raises(ConfigurationError, match="production needs topics with 3 replicas"):
        Replication.of(settings)


def test_production_takes_three_replicas_two_in_sync() -> None:
    settings = _settings(
        HEARD_ENV="production",
        HEARD_TOPIC_REPLICATION_FACTOR=3,
        HEARD_TOPIC_MIN_INSYNC_REPLICAS=2,
    )
    assert Replication.of(settings) == Replication(3, 2)


def test_more_in_sync_than_replicas_is_refused() -> None:
    settings = _settings(HEARD_TOPIC_REPLICATION_FACTOR=1, HEARD_TOPIC_MIN_INSYNC_REPLICAS=2)
    with pytest.raises(ConfigurationError, match="cannot exceed"):
        Replication.of(settings)


def test_a_factor_of_zero_is_not_a_setting() -> None:
    with pytest.raises(ValidationError):
        _settings(HEARD_TOPIC_REPLICATION_FACTOR=0)


async def test_a_service_started_in_production_with_one_replica_refuses_to_start(
    tmp_path: Path,
) -> None:
    settings = IntakeSettings.model_validate(
        {
            "HEARD_ENV": "production",
            "database_url": f"sqlite:///{tmp_path / 'x.db'}",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",  # never reached: refused before
        }
    )
    with pytest.raises(ConfigurationError, match="production needs topics"):
        await asyncio.wait_for(run_role(INTAKE, "all", settings, asyncio.Event()), timeout=10)
