"""Who is at the kiosk: a tapped card, the code from the welcome mail (its QR code or the short
code typed from it), or login and password."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import tokens
from shared.accounts import throttle
from shared.accounts.email_change import needs_setup
from shared.accounts.login import LoginResult, check_may_log_in, log_in
from shared.cards import collection_codes
from shared.cards.lookup import card_holder
from shared.cards.numbers import normalise_chip_uid
from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron, linked_patrons, surviving


def by_card(session: Session, number: str, chip_uid: str | None, now: datetime) -> Patron:
    """The holder of an issued card, if their login may log in; when the card's chip was
    recorded, the chip must be that one."""
    card = session.scalar(select(Card).where(Card.number == number.strip()))
    if card is None or card.status == CardStatus.PENDING:
        raise DomainError("unknown_card")
    if card.chip_uid is not None and (
        chip_uid is None or normalise_chip_uid(chip_uid) != card.chip_uid
    ):
        raise DomainError("unknown_card")
    patron = card_holder(session, card)
    _require_login_allowed(patron, now)
    card.last_used_at = now
    return patron


def by_code(session: Session, secret_key: str, code: str, device_id: int, now: datetime) -> Patron:
    """The patron named in the card collection code of their welcome mail (the QR code's, or
    the short one typed from it), if their login may log in and they have not collected a card
    yet (after that: number and password)."""
    short = collection_codes.normalise(code)
    if short is not None:
        return _by_short_code(session, secret_key, short, device_id, now)
    try:
        payload = tokens.read_token(secret_key, tokens.CARD_COLLECTION, code.strip(), now)
    except tokens.TokenError as error:
        raise DomainError("code_expired" if error.expired else "code_invalid") from error
    return _may_collect(session, session.get(Patron, payload.get("patron", 0)), now)


def _by_short_code(
    session: Session, secret_key: str, code: str, device_id: int, now: datetime
) -> Patron:
    """The patron of a typed short code, which it uses up; wrong codes are counted per kiosk
    (a short code can be guessed where a signed one cannot), with growing waits."""
    key = throttle.kiosk_code_key(device_id)
    try:
        throttle.refuse_while_locked(session, [key], now)
    except DomainError as locked:
        raise DomainError("too_many_codes", **locked.params) from locked
    try:
        row = collection_codes.find_code(session, secret_key, code, now)
        patron = _may_collect(session, session.get(Patron, row.patron_id), now)
        collection_codes.spend(session, row, now)
    except DomainError:
        throttle.count_failure(session, key, now, throttle.growing_wait)
        raise
    # Only a code that let someone in clears the count: a known code that is refused (used,
    # or its login blocked) must not reset it between guesses.
    throttle.forget_failures(session, key)
    return patron


def _may_collect(session: Session, patron: Patron | None, now: datetime) -> Patron:
    """The patron a code names, if their login may log in and no card was issued to them yet."""
    if patron is None:
        raise DomainError("code_invalid")
    patron = surviving(session, patron)  # a code mailed to a duplicate merged since
    _require_login_allowed(patron, now)
    if _had_main_card(session, patron):
        raise DomainError("code_used")
    return patron


def by_password(
    session: Session, login: str, password: str, device_id: int, now: datetime
) -> Patron:
    """The patron of a login, checked and throttled as on the website (the kiosk is the
    address: failures there do not slow the patron down at home). A one-time password from the
    desk, or a login still to be set up, lets nobody in: the kiosk cannot ask for a new
    password, so the patron chooses it on the website first."""
    result = log_in(session, login, password, now, f"kiosk:{device_id}")
    if result.account.password_must_change or needs_setup(result.account):
        raise DomainError("password_not_chosen")
    return _patron_of_login(session, result, login)


def _require_login_allowed(patron: Patron, now: datetime) -> None:
    """Refuse a patron whose login account is blocked or unconfirmed, as logging in does."""
    if patron.login_account is not None:
        check_may_log_in(patron.login_account, now)


def _had_main_card(session: Session, patron: Patron) -> bool:
    """Whether a main card was ever issued to the patron (active, or since lost or blocked)."""
    issued = select(Card.id).where(
        Card.patron_id == patron.id,
        Card.role == CardRole.MAIN,
        Card.status != CardStatus.PENDING,
    )
    return session.scalar(issued.limit(1)) is not None


def _patron_of_login(session: Session, result: LoginResult, login: str) -> Patron:
    """The membership the typed number names, else the login's first (home library) one."""
    typed = find_patron(session, login.strip())
    if typed is not None and typed.login_account_id == result.account.id:
        return typed
    patrons = linked_patrons(session, result.account)
    if not patrons:
        raise DomainError("no_membership")
    return patrons[0]
