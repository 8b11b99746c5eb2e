"""Service-level tests: a session on a fresh copy of the migrated database, no app, no HTTP."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


@pytest.fixture
def db_session(tmp_path: Path, migrated_database: Path) -> Iterator[Session]:
    """A session on a copy of the migrated database with the catalogue loaded."""
    copy = tmp_path / "services.sqlite3"
    shutil.copy(migrated_database, copy)
    engine = create_engine(f"sqlite:///{copy}")
    with Session(engine) as session:
        yield session
    engine.dispose()
