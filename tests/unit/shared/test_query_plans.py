"""No full scan of a large table on the paths a patron, a kiosk or a token exchange takes: the
SQL of each path is captured and every SELECT's plan (SQLite's EXPLAIN QUERY PLAN) is read."""

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from shared.accounts.login import log_in
from shared.cards.collection_codes import issue_code
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.kiosks.identification import by_card, by_code
from shared.patrons.lookup import linked_patrons
from shared.payments.refunds import unsettled_refunds
from shared.payments.service import unfinished_payments
from shared.signup.purge import purge_unconfirmed
from tests.support.factories import PASSWORD, create_account, create_card, create_patron

# Tables that grow with the members: a scan of one of them grows with them.
LARGE = {
    "refund",
    "login_account",
    "patron",
    "card",
    "subscription",
    "payment",
    "ledger_entry",
    "login_throttle",
    "outbox_mail",
    "registration",
    "oidc_token",
    "collection_code",
}
SCAN = re.compile(r"\bSCAN (\w+)")


@contextmanager
def captured(
    session: Session, kinds: tuple[str, ...] = ("SELECT",)
) -> Iterator[list[tuple[str, Any]]]:
    """The statements of these kinds the session sends while the block runs, with their
    parameters."""
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement: str, parameters: Any, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith(kinds):
            statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def scans(session: Session, statements: list[tuple[str, Any]]) -> list[str]:
    """Each full scan of a large table in the statements' plans, with its statement."""
    found = []
    for statement, parameters in statements:
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        for row in plan:
            table = SCAN.search(row[-1])
            if table and table[1] in LARGE:
                found.append(f"{row[-1]}  <-  {' '.join(statement.split())[:160]}")
    return found


@pytest.fixture
def members(db_session: Session, clock: ManualClock) -> list[Any]:
    """A few members, each with a confirmed login, a card and a confirmed library e-mail."""
    made = []
    for _ in range(3):
        account = create_account(db_session, clock.now(), confirmed=True)
        patron = create_patron(db_session, account, clock.now(), subscription="0045")
        patron.library_email_confirmed_at = clock.now()
        card = create_card(db_session, patron, clock.now())
        made.append((account, patron, card))
    db_session.commit()
    return made


def logins(account: Any, patron: Any, card: Any) -> dict[str, str]:
    """Every kind of name a member logs in with."""
    return {
        "e-mail": account.email.upper(),
        "username": account.username,
        "card number": card.number,
        "temporary number": patron.temporary_number,
        "library e-mail": patron.library_email,
        "unknown": "niemand@example.nl",
    }


def attempt(session: Session, login: str, now: datetime) -> None:
    """Log in (right or wrong: both paths look the name up)."""
    with suppress(DomainError):
        log_in(session, login, PASSWORD, now)


@pytest.mark.parametrize(
    "kind", ["e-mail", "username", "card number", "temporary number", "library e-mail", "unknown"]
)
def test_logging_in_scans_no_large_table(
    db_session: Session, clock: ManualClock, members: list[Any], kind: str
) -> None:
    login = logins(*members[1])[kind]
    with captured(db_session) as statements:
        attempt(db_session, login, clock.now())
    assert statements and scans(db_session, statements) == []


def test_the_patrons_of_a_login_are_found_without_a_scan(
    db_session: Session, members: list[Any]
) -> None:
    with captured(db_session) as statements:
        linked_patrons(db_session, members[1][0])
    assert statements and scans(db_session, statements) == []


def test_the_purge_scans_no_large_table(
    db_session: Session, clock: ManualClock, members: list[Any]
) -> None:
    with captured(db_session, ("SELECT", "DELETE", "UPDATE")) as statements:
        purge_unconfirmed(db_session, clock.now())
    assert statements and scans(db_session, statements) == []


def test_reconciliation_finds_the_unfinished_without_a_scan(
    db_session: Session, members: list[Any]
) -> None:
    with captured(db_session) as statements:
        unfinished_payments(db_session)
        unsettled_refunds(db_session)
    assert statements and scans(db_session, statements) == []


def test_a_kiosk_finds_a_tapped_card_or_a_typed_code_without_a_scan(
    db_session: Session, clock: ManualClock, members: list[Any]
) -> None:
    _, patron, card = members[1]
    code = issue_code(db_session, "secret", patron, clock.now())
    with captured(db_session, ("SELECT", "UPDATE")) as statements:
        by_card(db_session, card.number, None, clock.now())
        with suppress(DomainError):  # a card was issued: the code is refused, after its look-up
            by_code(db_session, "secret", code, 1, clock.now())
    assert statements and scans(db_session, statements) == []
