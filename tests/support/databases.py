"""Each test's own portal database, copied from a template migrated once per session: a file copy
on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL (OPENBALIE_TEST_DATABASE=postgresql)."""

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import create_engine, make_url, text

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
TEMPLATE = "openbalie_template"


def database_kind() -> str:
    """The database the functional tests run on: sqlite unless OPENBALIE_TEST_DATABASE says."""
    kind = os.environ.get("OPENBALIE_TEST_DATABASE", SQLITE)
    if kind not in (SQLITE, POSTGRESQL):
        raise ValueError(f"OPENBALIE_TEST_DATABASE must be {SQLITE} or {POSTGRESQL}, not {kind}")
    return kind


def only_on_sqlite(reason: str) -> pytest.MarkDecorator:
    """Skip a test that is about SQLite itself when the suite runs on PostgreSQL."""
    return pytest.mark.skipif(database_kind() != SQLITE, reason=f"SQLite only: {reason}")


def only_on_postgresql(reason: str) -> pytest.MarkDecorator:
    """Skip a test of what PostgreSQL alone does when the suite runs on SQLite."""
    kind = database_kind()
    return pytest.mark.skipif(kind != POSTGRESQL, reason=f"PostgreSQL only: {reason}")


class DatabaseCopies(Protocol):
    """Fresh copies of a migrated template database, and the template's instance folder."""

    instance: Path

    def fresh(self, directory: Path) -> AbstractContextManager[str]:
        """A fresh copy (its files, if any, under `directory`); yields its URL."""
        ...


class SqliteCopies:
    """Fresh databases as copies of a migrated SQLite file (its instance folder beside it)."""

    def __init__(self, template: Path) -> None:
        self.template = template
        self.instance = template.parent / "instance"

    @contextmanager
    def fresh(self, directory: Path) -> Iterator[str]:
        """A copy of the template in `directory`; yields its URL."""
        copy = directory / "portal.sqlite3"
        shutil.copy(self.template, copy)
        yield f"sqlite:///{copy}"


class PostgresCopies:
    """Fresh databases as copies of a migrated template database on one PostgreSQL server."""

    def __init__(self, template_url: str, instance: Path) -> None:
        self.template_url = make_url(template_url)
        self.instance = instance
        # CREATE and DROP DATABASE run outside a transaction, from the maintenance database.
        self.admin = create_engine(
            self.template_url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.numbers = itertools.count(1)

    @contextmanager
    def fresh(self, _directory: Path) -> Iterator[str]:
        """A new database copied from the template; yields its URL and drops it after."""
        name = f"t_{next(self.numbers)}"
        template = self.template_url.database
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield self.template_url.set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE: a server thread a test left behind may still hold a connection.
            self._run(f'DROP DATABASE "{name}" WITH (FORCE)')

    def _run(self, statement: str) -> None:
        """One statement on the maintenance database."""
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def close(self) -> None:
        """Close the maintenance connections."""
        self.admin.dispose()
