"""Every service's migrations build the bus tables exactly as the shared models declare them,
the outbox's parking columns and its partial index on the rows still to publish included."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect

from services import registry
from shared.bus.inbox import InboxEntry
from shared.bus.outbox import UNPUBLISHED_INDEX, OutboxMessage
from shared.db.engine import sync_url
from shared.db.migrations import alembic_config, upgrade


def _bus_metadata() -> MetaData:
    metadata = MetaData()
    for model in (OutboxMessage, InboxEntry):
        table: Table = model.__table__  # type: ignore[union-attr]
        table.to_metadata(metadata)
    return metadata


@pytest.mark.parametrize("service", registry.NAMES)
def test_the_migrated_bus_tables_match_the_models(tmp_path: Path, service: str) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, registry.service(service).migrations)
    metadata = _bus_metadata()
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            context.opts["include_name"] = lambda name, kind, _parent: (
                kind != "table" or name in metadata.tables
            )
            assert list(compare_metadata(context, metadata)) == []
            indexes = {i["name"]: i for i in inspect(connection).get_indexes("heard_outbox")}
    finally:
        engine.dispose()
    assert indexes[UNPUBLISHED_INDEX]["column_names"] == ["seq"]


@pytest.mark.parametrize("service", registry.NAMES)
def test_the_parking_migration_goes_down_and_up_again(tmp_path: Path, service: str) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrations = registry.service(service).migrations
    upgrade(url, migrations)
    (parking,) = (migrations / "versions").glob("*_outbox_parking.py")
    # Later migrations of the service go down first, then the parking one itself.
    command.downgrade(alembic_config(url, migrations), f"{parking.name.split('_')[0]}-1")
    engine = create_engine(sync_url(url))
    columns = {c["name"] for c in inspect(engine).get_columns("heard_outbox")}
    engine.dispose()
    assert not columns & {"parked_at", "park_reason"}
    upgrade(url, migrations)
