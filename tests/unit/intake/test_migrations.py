"""Intake's migrations build exactly the tables its models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, create_engine, inspect

from services.intake.db import Complaint, ComplaintStatus, Receipt
from services.intake.settings import IntakeSettings
from shared.db.engine import sync_url

MODELS = (Complaint, Receipt, ComplaintStatus)
BUS_TABLES = {"heard_outbox", "heard_inbox"}


def _metadata() -> MetaData:
    metadata = MetaData()
    for model in MODELS:
        table: Table = model.__table__  # type: ignore[union-attr]
        table.to_metadata(metadata)
    return metadata


def _differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # The bus tables are shared's; compare only the tables intake's models define.
    include = {
        "include_name": lambda name, kind, _parent: kind != "table" or name in metadata.tables
    }
    context.opts.update(include)
    return list(compare_metadata(context, metadata))


def test_the_migrated_schema_matches_the_models(settings: IntakeSettings) -> None:
    engine = create_engine(sync_url(settings.database_url))
    try:
        with engine.connect() as connection:
            assert _differences(connection, _metadata()) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert tables == {*BUS_TABLES, *(m.__tablename__ for m in MODELS), "alembic_version"}
