"""Logging in to the online library: by main card, customer or system number, username or
e-mail, with one answer for a wrong password and an unknown login (no account enumeration)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
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
# Verified against when the login is unknown, so both answers take as long.
_DUMMY_HASH = hash_password("not-a-real-password")


@dataclass(frozen=True)
class LoginResult:
    """Who logged in, and a card number that replaced the number they typed, if so."""

    account: LoginAccount
    new_number: str | None = None


def log_in(session: Session, login: str, password: str, now: datetime) -> LoginResult:
    """The account for these credentials, or a DomainError saying why not.

    Failures count per typed name (also unknown ones) and per account, so that its card
    number, customer number, username and e-mail do not each get their own tries."""
    found = find_account(session, login)
    keys = [_throttle_key(login)] + ([f"account:{found.account.id}"] if found else [])
    _refuse_while_locked(session, keys, now)
    if found is None or not verify_password(found.account.password_hash, password):
        if found is None:
            verify_password(_DUMMY_HASH, password)
        for key in keys:
            _count_failure(session, key, now)
        raise DomainError("bad_credentials")
    _check_may_log_in(found.account, now)
    for key in keys:
        _forget_failures(session, key)
    found.account.last_login_at = now
    return found


def find_account(session: Session, login: str) -> LoginResult | None:
    """The login account a typed login name points at (refusing a secondary card)."""
    login = login.strip()
    if "@" in login:
        return _by_email(session, login)
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


def _by_email(session: Session, email: str) -> LoginResult | None:
    """The account with this e-mail address (only an address the library has on record)."""
    query = select(LoginAccount).where(func.lower(LoginAccount.email) == email.casefold())
    account = session.scalars(query.order_by(LoginAccount.id)).first()
    return LoginResult(account) if account is not None else None


def _by_card(session: Session, card: Card) -> LoginResult | None:
    """The card holder's account; a secondary or blocked card gets its own answer."""
    patron = session.get_one(Patron, card.patron_id)
    if card.role == CardRole.SECONDARY:
        main = main_card(session, patron)
        raise DomainError("secondary_card", main=mask_number(main.number) if main else "")
    if card.status != CardStatus.ACTIVE:
        raise DomainError("card_not_active")
    return _of_patron(session, patron, card.number)


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


def _check_may_log_in(account: LoginAccount, now: datetime) -> None:
    """Refuse a blocked account, and an unconfirmed one (with its own answer)."""
    if account.status == AccountStatus.BLOCKED:
        raise DomainError("account_blocked")
    if account.confirmed_at is None and account.email:
        expired = account.created_at < now - CONFIRMATION_WINDOW
        raise DomainError("account_unconfirmed", expired=expired)


def _throttle_key(login: str) -> str:
    """What the throttle table keeps of a login name: a hash, never the name."""
    return hashlib.sha256(login.strip().casefold().encode()).hexdigest()


def _refuse_while_locked(session: Session, keys: list[str], now: datetime) -> None:
    """After too many failures, the login name or account waits (an hour at most)."""
    waits = [
        throttle.locked_until
        for throttle in (session.get(LoginThrottle, key) for key in keys)
        if throttle is not None and throttle.locked_until and throttle.locked_until > now
    ]
    if waits:
        raise DomainError("too_many_attempts", until=max(waits))


def _count_failure(session: Session, key: str, now: datetime) -> None:
    """One more failure; from the fifth on, a wait that doubles each time."""
    insert_or_ignore(session, LoginThrottle, {"key": key, "failures": 0})
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=LoginThrottle.failures + 1)
        .execution_options(synchronize_session=False)
    )
    throttle = session.get_one(LoginThrottle, key)
    session.refresh(throttle)
    extra = throttle.failures - FREE_ATTEMPTS
    if extra >= 0:
        throttle.locked_until = now + min(timedelta(minutes=2**extra), MAX_WAIT)
    session.flush()


def _forget_failures(session: Session, key: str) -> None:
    """A successful login clears the count."""
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)
