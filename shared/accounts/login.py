"""Logging in to the online library: by main card, customer or system number, username or
e-mail, with one answer for a wrong password and an unknown login (no account enumeration)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.accounts.confirmation import CONFIRMATION_WINDOW
from shared.accounts.passwords import hash_password, verify_password
from shared.accounts.throttle import (
    account_key,
    budgets,
    count_failure,
    forget_failures,
    refuse_while_locked,
)
from shared.cards.lookup import card_holder, main_card
from shared.cards.usage import note_use
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.card import Card
from shared.models.patron import Patron
from shared.patrons.lookup import surviving

# Verified against when the login is unknown, so both answers take as long.
_DUMMY_HASH = hash_password("not-a-real-password")


@dataclass(frozen=True)
class LoginResult:
    """Who logged in, and a card number that replaced the number they typed, if so."""

    account: LoginAccount
    new_number: str | None = None


def log_in(
    session: Session, login: str, password: str, now: datetime, client: str = ""
) -> LoginResult:
    """The account for these credentials, or a DomainError saying why not.

    Failures count per login account, whichever of its names was typed (e-mail, username, card,
    customer or system number): per address (growing waits: a guesser slows down, the patron
    elsewhere does not) and from all addresses (a wide attack waits too); the lock holds for
    every name. A name of no account counts on its own alike, so the waiting reveals nothing."""
    candidates = find_accounts(session, login)
    waits = budgets(login, client, [candidate.account.id for candidate in candidates])
    refuse_while_locked(session, list(waits), now)
    found = next(
        (c for c in candidates if verify_password(c.account.password_hash, password)), None
    )
    if found is None:
        if not candidates:
            verify_password(_DUMMY_HASH, password)
        for key, wait in waits.items():
            count_failure(session, key, now, wait)
        raise DomainError("bad_credentials")
    check_may_log_in(found.account, now)
    forget_failures(session, account_key(found.account.id, client))
    if not found.account.is_staff:  # staff have logged in only once their code is right
        found.account.last_login_at = now
        note_use(session, login.strip(), now)
    return found


def find_accounts(session: Session, login: str) -> list[LoginResult]:
    """The login accounts a typed name points at: one, or several that share an e-mail address
    (a family), or none; a secondary or blocked card is refused with its own answer."""
    login = login.strip()
    if "@" in login:
        return _by_email(session, login)
    found = _by_number_or_name(session, login)
    return [found] if found is not None else []


def _by_number_or_name(session: Session, login: str) -> LoginResult | None:
    """The account of a card, customer or system number, or username."""
    card = session.scalar(select(Card).where(Card.number == login))
    if card is not None:
        return _of_patron(session, card_holder(session, card), card.number)
    patron = session.scalar(
        select(Patron).where((Patron.temporary_number == login) | (Patron.system_number == login))
    )
    if patron is not None:  # a merged duplicate's number: the login of the record it went into
        return _of_patron(session, surviving(session, patron), login)
    account = session.scalar(
        select(LoginAccount).where(LoginAccount.username_key == login.casefold())
    )
    return LoginResult(account) if account is not None else None


def _by_email(session: Session, email: str) -> list[LoginResult]:
    """The accounts with this (confirmed or desk-given) e-mail address, and the login of the
    patron records that have it as their library e-mail (seed 004: the address on the record)."""
    key = email.casefold()
    query = select(LoginAccount).where(func.lower(LoginAccount.email) == key)
    accounts = list(session.scalars(query.order_by(LoginAccount.id)))
    of_record = _by_library_email(session, key)
    if of_record is not None and of_record not in accounts:
        accounts.append(of_record)
    return [LoginResult(account) for account in accounts]


def _by_library_email(session: Session, key: str) -> LoginAccount | None:
    """The login of the patron records with this library e-mail confirmed, when they share one
    login (an address on the records of several logins points at none of them; one typed but
    never confirmed points at nobody, nor takes the address from the record that confirmed it)."""
    logins = set(
        session.scalars(
            select(Patron.login_account_id)
            .where(func.lower(Patron.library_email) == key)
            .where(Patron.library_email_confirmed_at.is_not(None))
            .where(Patron.login_account_id.is_not(None))
        )
    )
    return session.get(LoginAccount, logins.pop()) if len(logins) == 1 else None


def _of_patron(session: Session, patron: Patron, typed: str) -> LoginResult | None:
    """The patron's login account; says so when a card now replaces the typed number."""
    if patron.login_account_id is None:
        return None
    account = session.get_one(LoginAccount, patron.login_account_id)
    main = main_card(session, patron)
    changed = main.number if main is not None and main.number != typed else None
    return LoginResult(account, changed)


def check_may_log_in(account: LoginAccount, now: datetime) -> None:
    """Refuse a blocked account, and an unconfirmed one (with its own answer)."""
    if account.status == AccountStatus.BLOCKED:
        raise DomainError("account_blocked")
    if account.confirmed_at is None and account.email:
        if account.created_at < now - CONFIRMATION_WINDOW:
            raise DomainError("confirmation_expired")
        raise DomainError("account_unconfirmed")
