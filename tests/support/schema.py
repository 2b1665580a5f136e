"""Does a service's migrated database match its SQLModel models?"""

from __future__ import annotations

from collections.abc import Sequence

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, create_engine, inspect
from sqlmodel import SQLModel

from shared.db.engine import sync_url

BUS_TABLES = frozenset({"heard_outbox", "heard_inbox"})


def _metadata(models: Sequence[type[SQLModel]]) -> MetaData:
    metadata = MetaData()
    for model in models:
        table: Table = model.__table__  # type: ignore[attr-defined]
        table.to_metadata(metadata)
    return metadata


def _differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # The bus tables are shared's; compare only the tables the service's models define.
    context.opts["include_name"] = lambda name, kind, _parent: (
        kind != "table" or name in metadata.tables
    )
    return list(compare_metadata(context, metadata))


def assert_schema_matches(database_url: str, models: Sequence[type[SQLModel]]) -> None:
    """The migrated database has exactly the models' tables (plus the bus's), as declared."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            assert _differences(connection, _metadata(models)) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    names = {str(m.__tablename__) for m in models}
    assert tables == {*BUS_TABLES, *names, "alembic_version"}
