"""Logging in to the online library: by main card, customer or system number, username or
e-mail, with one answer for a wrong password and an unknown login (no account enumeration)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron
from shared.models.throttle import LoginThrottle
from shared.passwords import hash_password, verify_password
from shared.purge import CONFIRMATION_WINDOW

FREE_ATTEMPTS = 5
MAX_WAIT = timedelta(hours=1)
WIDE_FREE_ATTEMPTS = 50
WIDE_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
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

    Failures count per typed name and address (growing waits: a guesser slows down, the
    patron elsewhere does not) and per name from all addresses (a wide attack waits too);
    both for unknown names alike, so the waiting reveals nothing."""
    waits = {_key(login, client): _growing_wait, _key(login): _wide_wait}
    _refuse_while_locked(session, list(waits), now)
    candidates = find_accounts(session, login)
    found = next(
        (c for c in candidates if verify_password(c.account.password_hash, password)), None
    )
    if found is None:
        if not candidates:
            verify_password(_DUMMY_HASH, password)
        for key, wait in waits.items():
            _count_failure(session, key, now, wait)
        raise DomainError("bad_credentials")
    check_may_log_in(found.account, now)
    _forget_failures(session, _key(login, client))
    found.account.last_login_at = now
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
        return _by_card(session, card)
    patron = session.scalar(
        select(Patron).where((Patron.temporary_number == login) | (Patron.system_number == login))
    )
    if patron is not None:
        return _of_patron(session, patron, login)
    account = session.scalar(
        select(LoginAccount).where(LoginAccount.username_key == login.casefold())
    )
    return LoginResult(account) if account is not None else None


def _by_email(session: Session, email: str) -> list[LoginResult]:
    """The accounts with this (confirmed or desk-given) e-mail address."""
    query = select(LoginAccount).where(func.lower(LoginAccount.email) == email.casefold())
    return [LoginResult(account) for account in session.scalars(query.order_by(LoginAccount.id))]


def _by_card(session: Session, card: Card) -> LoginResult | None:
    """The card holder's account; a secondary or blocked card gets its own answer."""
    return _of_patron(session, card_holder(session, card), card.number)


def card_holder(session: Session, card: Card) -> Patron:
    """The patron a card identifies; a secondary or blocked card is refused with its own answer."""
    patron = session.get_one(Patron, card.patron_id)
    if card.role == CardRole.SECONDARY:
        main = main_card(session, patron)
        raise DomainError("secondary_card", main=mask_number(main.number) if main else "")
    if card.status != CardStatus.ACTIVE:
        raise DomainError("card_not_active")
    return patron


def _of_patron(session: Session, patron: Patron, typed: str) -> LoginResult | None:
    """The patron's login account; says so when a card now replaces the typed number."""
    if patron.login_account_id is None:
        return None
    account = session.get_one(LoginAccount, patron.login_account_id)
    main = main_card(session, patron)
    changed = main.number if main is not None and main.number != typed else None
    return LoginResult(account, changed)


def main_card(session: Session, patron: Patron) -> Card | None:
    """The patron's active main card, if one was issued."""
    return session.scalar(
        select(Card).where(
            Card.patron_id == patron.id,
            Card.role == CardRole.MAIN,
            Card.status == CardStatus.ACTIVE,
        )
    )


def mask_number(number: str) -> str:
    """A card number with all but the last four digits hidden."""
    return "•" * max(len(number) - 4, 0) + number[-4:]


def check_may_log_in(account: LoginAccount, now: datetime) -> None:
    """Refuse a blocked account, and an unconfirmed one (with its own answer)."""
    if account.status == AccountStatus.BLOCKED:
        raise DomainError("account_blocked")
    if account.confirmed_at is None and account.email:
        expired = account.created_at < now - CONFIRMATION_WINDOW
        raise DomainError("account_unconfirmed", expired=expired)


def _key(*parts: str) -> str:
    """What the throttle table keeps of a login name (and address): a hash, never the name."""
    return hashlib.sha256("|".join(p.strip().casefold() for p in parts).encode()).hexdigest()


def _growing_wait(failures: int) -> timedelta | None:
    """From one address: five free tries, then 1, 2, 4 ... minutes (an hour at most)."""
    extra = failures - FREE_ATTEMPTS
    return min(timedelta(minutes=2**extra), MAX_WAIT) if extra >= 0 else None


def _wide_wait(failures: int) -> timedelta | None:
    """From all addresses together: many more tries, then a quarter of an hour each time."""
    return WIDE_WAIT if failures >= WIDE_FREE_ATTEMPTS else None


def _refuse_while_locked(session: Session, keys: list[str], now: datetime) -> None:
    """While a key waits, every try is refused, saying until when."""
    waits = [
        throttle.locked_until
        for throttle in (session.get(LoginThrottle, key) for key in keys)
        if throttle is not None and throttle.locked_until and throttle.locked_until > now
    ]
    if waits:
        raise DomainError("too_many_attempts", until=max(waits))


def _count_failure(
    session: Session, key: str, now: datetime, wait: Callable[[int], timedelta | None]
) -> None:
    """One more failure (the first after a quiet hour starts again at one), and its wait."""
    insert_or_ignore(session, LoginThrottle, {"key": key, "failures": 0})
    quiet = LoginThrottle.last_failure_at < now - FORGET_AFTER
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=case((quiet, 1), else_=LoginThrottle.failures + 1),
            last_failure_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    throttle = session.get_one(LoginThrottle, key)
    session.refresh(throttle)
    delay = wait(throttle.failures)
    throttle.locked_until = now + delay if delay else None
    session.flush()


def _forget_failures(session: Session, key: str) -> None:
    """A successful login clears its address's count (the wide count fades by itself)."""
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)
