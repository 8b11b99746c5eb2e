"""Failed logins counted per login account, whichever of its names was typed (and per account
and address), with growing waits; a name of no account is counted on its own alike."""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore
from shared.errors import DomainError
from shared.models.throttle import LoginThrottle

FREE_ATTEMPTS = 5
MAX_WAIT = timedelta(hours=1)
WIDE_FREE_ATTEMPTS = 50
WIDE_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
Wait = Callable[[int], timedelta | None]


def name_key(*parts: str) -> str:
    """What the throttle table keeps of a typed name (and address): a hash, never the name."""
    return _key("name", *parts)


def account_key(account_id: int, *parts: str) -> str:
    """The throttle key of a login account (and address), for every name it logs in with."""
    return _key("account", str(account_id), *parts)


def second_factor_key(account_id: int, *parts: str) -> str:
    """The throttle key of a staff login's second-factor codes (and address): apart from its
    password's, so that logging in again with the password never clears the codes' count."""
    return _key("second-factor", str(account_id), *parts)


def kiosk_code_key(device_id: int) -> str:
    """The throttle key of the short codes typed at one kiosk."""
    return _key("kiosk-code", str(device_id))


def kiosk_guest_key(device_id: int) -> str:
    """The throttle key of the guest registrations refused at one kiosk (each asks another
    library about a card: not to be used to find out who is a member there)."""
    return _key("kiosk-guest", str(device_id))


def _key(kind: str, *parts: str) -> str:
    """A hash of the parts; its kind first, so no typed name hashes like an account."""
    text = "|".join(part.strip().casefold() for part in (kind, *parts))
    return hashlib.sha256(text.encode()).hexdigest()


def budgets(login: str, client: str, account_ids: list[int]) -> dict[str, Wait]:
    """The keys a try counts on, with their waits: per address (growing) and from all addresses
    (wide), for each account the typed name belongs to, or for the name when it has none."""
    if not account_ids:
        return {name_key(login, client): growing_wait, name_key(login): wide_wait}
    keys: dict[str, Wait] = {}
    for account_id in account_ids:
        keys[account_key(account_id, client)] = growing_wait
        keys[account_key(account_id)] = wide_wait
    return keys


def growing_wait(failures: int) -> timedelta | None:
    """From one address: five free tries, then 1, 2, 4 ... minutes (an hour at most)."""
    extra = failures - FREE_ATTEMPTS
    return min(timedelta(minutes=2**extra), MAX_WAIT) if extra >= 0 else None


def wide_wait(failures: int) -> timedelta | None:
    """From all addresses together: many more tries, then a quarter of an hour each time."""
    return WIDE_WAIT if failures >= WIDE_FREE_ATTEMPTS else None


def refuse_while_locked(session: Session, keys: list[str], now: datetime) -> None:
    """While a key waits, every try is refused, saying until when (one query for all keys)."""
    until = session.scalar(
        select(func.max(LoginThrottle.locked_until))
        .where(LoginThrottle.key.in_(keys))
        .where(LoginThrottle.locked_until > now)
    )
    if until is not None:
        raise DomainError("too_many_attempts", until=until)


def count_failure(session: Session, key: str, now: datetime, wait: Wait) -> None:
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


def forget_failures(session: Session, key: str) -> None:
    """A successful login clears its address's count (the wide count fades by itself)."""
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)
