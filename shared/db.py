"""Database plumbing: declarative base, naming convention, UTC timestamps, enum columns, and
what services need of a session (row locks, insert-or-ignore, pending work)."""

import sqlite3 as sqlite3_driver
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import DateTime, Enum, Insert, MetaData, Table, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction, registry
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


P = ParamSpec("P")
R = TypeVar("R")
_UPSERT_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, also on SQLite which stores naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; take the time from shared.clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(values: type[StrEnum], name: str, length: int) -> Enum:
    """A column of one enum's values: VARCHAR(length) with a CHECK constraint named after the
    column (on SQLite and PostgreSQL alike), read back as the enum's members."""
    return Enum(
        values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    """Declarative base of every OpenBalie model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL so readers never block the writer, and wait instead of failing."""
    if not isinstance(dbapi_connection, sqlite3_driver.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class PendingWork(RuntimeError):
    """A function that commits was called while the caller still had changes uncommitted."""


WROTE = "wrote"  # session.info key: the transaction holds writes not committed yet


@event.listens_for(Session, "after_flush")
def _remember_flush(session: Session, _context: Any) -> None:
    """The ORM wrote the session's changes into the transaction."""
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _remember_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE statement wrote into the transaction."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction: SessionTransaction) -> None:
    """The session's transaction ended (committed, rolled back or closed): nothing is pending."""
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def require_nothing_pending(session: Session) -> None:
    """Refuse to go on when the session holds changes, flushed or not, that are not committed:
    a function that commits must commit only its own work, never its caller's by surprise."""
    if session.new or session.dirty or session.deleted or session.info.get(WROTE):
        raise PendingWork("commit or roll back first: this function commits its own work")


def commits_own_work(
    function: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Session, P], R]:
    """Mark a service that commits along the way: it refuses to start while the caller has
    work uncommitted, and rolls back what it leaves half done when it fails."""

    @wraps(function)
    def committing(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        require_nothing_pending(session)
        try:
            return function(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return committing


def lock_row(session: Session, model: Any, row_id: int) -> None:
    """Hold the row until commit: a row lock on PostgreSQL, the write lock on SQLite.

    A no-op UPDATE does both, where SELECT ... FOR UPDATE would not lock anything on SQLite."""
    session.execute(
        update(model)
        .where(model.id == row_id)
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )


def insert_ignoring(session: Session, target: type[Base] | Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING into a model (rows come back as its objects) or a
    table (plain rows: no ORM at work, several times faster), in the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERT_INSERTS:
        raise ValueError(f"unsupported database {dialect}: use SQLite or PostgreSQL")
    statement: Insert = _UPSERT_INSERTS[dialect](target).on_conflict_do_nothing()
    return statement


def table_of(model: type[Base]) -> Table:
    """The model's table (its columns are named as its attributes)."""
    return cast(Table, model.__table__)  # a mapped class's own table, never a join


def insert_or_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING, safe under concurrent inserts; True if it inserted."""
    # A returned key, not the row count: psycopg reports none (-1) for an INSERT whose key
    # SQLAlchemy fetches with RETURNING, so the count said "ignored" on PostgreSQL.
    table = table_of(model)
    # The values as parameters, not in the statement: one compiled statement serves every call.
    statement = insert_ignoring(session, table).returning(*table.primary_key.columns)
    return session.execute(statement, values).first() is not None


def insert_all_or_ignore(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert the rows, leaving out any whose key is there already (also when another
    transaction inserts it at the same time)."""
    statement = insert_ignoring(session, table_of(model))
    if rows:
        session.execute(statement, rows)


def insert_new(
    session: Session, model: type[Base], rows: list[dict[str, Any]], returning: str
) -> set[Any]:
    """Insert the rows (in one statement), leaving out any whose key is there already (also when
    another transaction inserts it at the same time); the column `returning` of those inserted."""
    if not rows:
        return set()
    table = table_of(model)
    statement = insert_ignoring(session, table).returning(table.c[returning])
    return set(session.scalars(statement, rows))


def rows_changed(
    session: Session, statement: Executable, values: dict[str, Any] | None = None
) -> int:
    """How many rows an INSERT, UPDATE or DELETE without RETURNING changed (with the values of
    its bound parameters)."""
    # Session.execute() is typed to return a plain Result; for such a statement it is a cursor's.
    return cast(CursorResult[Any], session.execute(statement, values)).rowcount


def number_after_highest_ids(session: Session, models: tuple[type[Base], ...]) -> None:
    """After rows inserted with ids of their own: the database numbers the next rows after the
    highest id (PostgreSQL's sequences never saw those ids; SQLite looks at the table itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = table_of(model)
        highest = select(func.max(table.c.id)).scalar_subquery()
        session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))
