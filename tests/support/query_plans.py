"""Read the plans of captured SQL and report each full scan of a table that grows with the
members: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN with sequential scans priced out (so
its planner picks an index whenever one can serve, even on a small test database)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

# Tables that grow with the members: a scan of one of them grows with them.
LARGE = {
    "refund",
    "chargeback",
    "login_account",
    "patron",
    "patron_name_key",
    "name_term",
    "card",
    "subscription",
    "payment",
    "ledger_entry",
    "login_throttle",
    "outbox_mail",
    "registration",
    "oidc_token",
    "oidc_subject",
    "oidc_consent",
    "collection_code",
    "mandate",
    "id_check",
}
# SQLite names a table by its alias in a join (subscription_1): the table's name is before the _N.
SQLITE_SCAN = re.compile(r"\bSCAN (\w+?)(?:_\d+)?\b")
SQLITE_INDEX = re.compile(r"\bUSING (?:COVERING )?INDEX (\w+)")
Statements = list[tuple[str, Any]]


@contextmanager
def captured(kinds: tuple[str, ...] = ("SELECT",)) -> Iterator[Statements]:
    """The statements of these kinds any engine sends while the block runs, with their
    parameters (any engine: a test client's app has its own)."""
    statements: Statements = []

    def record(_conn, _cursor, statement: str, parameters: Any, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith(kinds):
            statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def scans(session: Session, statements: Statements) -> list[str]:
    """Each full scan of a large table in the statements' plans, with its statement."""
    read = _postgresql_scans if session.get_bind().dialect.name == "postgresql" else _sqlite_scans
    found = []
    for statement, parameters in statements:
        shown = " ".join(statement.split())[:160]
        found += [f"{scan}  <-  {shown}" for scan in read(session, statement, parameters)]
    return found


def _sqlite_scans(session: Session, statement: str, parameters: Any) -> list[str]:
    """The SCAN lines of a large table in SQLite's plan."""
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return [row[-1] for row in plan if (table := SQLITE_SCAN.search(row[-1])) and table[1] in LARGE]


def _postgresql_scans(session: Session, statement: str, parameters: Any) -> list[str]:
    """The sequential scans of a large table in PostgreSQL's plan."""
    return [
        f"Seq Scan on {node['Relation Name']}"
        for node in _postgresql_plan(session, statement, parameters)
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE
    ]


def _postgresql_plan(session: Session, statement: str, parameters: Any) -> list[dict[str, Any]]:
    """Every node of PostgreSQL's plan for the statement, sequential scans priced out."""
    connection = session.connection()
    savepoint = connection.begin_nested()  # rolled back: the setting ends with the plan
    try:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        return list(_nodes(plan.scalar_one()[0]["Plan"]))
    finally:
        savepoint.rollback()


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A plan node and every node under it."""
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def indexes_used(session: Session, statements: Statements) -> set[str]:
    """The names of the indexes the statements' plans read."""
    if session.get_bind().dialect.name != "postgresql":
        connection = session.connection()
        return {
            found[1]
            for statement, parameters in statements
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            if (found := SQLITE_INDEX.search(row[-1]))
        }
    return {
        node["Index Name"]
        for statement, parameters in statements
        for node in _postgresql_plan(session, statement, parameters)
        if "Index Name" in node
    }


def row_filters(session: Session, statements: Statements) -> list[str]:
    """The conditions PostgreSQL checks on rows it read rather than in an index (its plans'
    Filter lines); none on SQLite, whose plans do not say."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    return [
        node["Filter"]
        for statement, parameters in statements
        for node in _postgresql_plan(session, statement, parameters)
        if "Filter" in node
    ]
