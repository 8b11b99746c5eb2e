"""A fresh `flask db upgrade` on SQLite reproduces the models (as test_postgres checks on
PostgreSQL): Alembic finds no difference, and the expression indexes it cannot compare on
SQLite are there by name."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Index, text

from portal.extensions import db


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_reproduce_the_models_on_sqlite(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("test_postgres checks PostgreSQL")
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        stored = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type='index'")))
    expression_indexes = {
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if isinstance(index, Index) and any(not hasattr(e, "name") for e in index.expressions)
    }
    assert expression_indexes and expression_indexes <= stored
