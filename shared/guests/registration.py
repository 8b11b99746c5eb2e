"""Registering a guest patron (*landelijk lenen*, seed 003): a member of another library, known
by their own card's ISIL and number. The home library is asked when one is configured for the
ISIL (its personal data are then the record's, read-only here); without one the guest is
registered unverified on the details the desk took from the ID document. A patron blocked or
expired at home is refused; a guest whose subscription ended is registered again."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.desk import audit
from shared.desk.registration import check_person
from shared.errors import DomainError
from shared.guests.home_library import HomeCheck, HomeLibrary, HomeLibraryUnavailable
from shared.guests.home_person import from_home
from shared.library_codes import HOME_CARD, ISIL
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch, GuestRegistration, SubscriptionType
from shared.models.guest import GuestHome, Verification
from shared.models.patron import CustomerType, Patron, PaymentPlan, Subscription
from shared.patrons.name_keys import index_names
from shared.patrons.subscriptions import current_subscription, valid_through
from shared.signup.activation import give_customer_number
from shared.signup.registration import PersonalDetails
from shared.timeutil import local_today

REGISTERED = "guest.registered"  # the audit log's action
# How SQLite and PostgreSQL name the unique pair (ISIL, home card number) when it is violated.
CARD_CONSTRAINT = ("uq_guest_home_card", "guest_home.isil, guest_home.home_card_number")
AGAIN_CUSTOMER_TYPE = "04"  # seed 003: "Schrijf de klant in met klanttype 04"


@dataclass(frozen=True)
class HomeCard:
    """A guest's own library card: the library that issued it (ISIL) and its number there."""

    isil: str
    number: str


@dataclass(frozen=True)
class Registered:
    """A guest registered: their record, their home, and whether it was a registration again."""

    patron: Patron
    home: GuestHome
    again: bool


def guest_by_card(session: Session, card: HomeCard) -> GuestHome | None:
    """The guest of this card of this library (never by the number alone)."""
    query = select(GuestHome).where(
        GuestHome.isil == card.isil, GuestHome.home_card_number == card.number
    )
    return session.scalar(query)


def check_card(session: Session, card: HomeCard) -> None:
    """Refuse an ISIL or a card number that is not one, and a card of this library's own
    organisation (its members are no guests here), before any library is asked."""
    if not ISIL.fullmatch(card.isil) or not HOME_CARD.fullmatch(card.number):
        raise DomainError("guest_card_invalid")
    if session.scalar(select(Branch.id).where(Branch.isil == card.isil).limit(1)) is not None:
        raise DomainError("guest_own_library")


def ask_home(
    session: Session, home: HomeLibrary | None, card: HomeCard, now: datetime
) -> HomeCheck | None:
    """What the home library says of the card, refused when it does not know it, blocks it or
    its subscription there has ended; None without a home library to ask (unverified)."""
    check = home_answer(session, home, card, now)
    if check is not None:
        refuse_at_home(check, now)
    return check


def home_answer(
    session: Session, home: HomeLibrary | None, card: HomeCard, now: datetime
) -> HomeCheck | None:
    """What the home library says of the card, whatever it says (None: none to ask)."""
    check_card(session, card)
    if home is None:
        return None
    try:
        return home.check(card.number, now)
    except HomeLibraryUnavailable as error:
        raise DomainError("home_library_unavailable") from error


def refuse_at_home(check: HomeCheck, now: datetime) -> None:
    """Refuse a card the home library does not know, blocks, or whose subscription ended."""
    if not check.known:
        raise DomainError("guest_unknown_at_home")
    ended = check.valid_through is not None and check.valid_through < local_today(now)
    if check.blocked or ended:
        raise DomainError("guest_blocked_at_home")


def register_guest(
    session: Session,
    card: HomeCard,
    check: HomeCheck | None,
    entered: PersonalDetails | None,
    branch: Branch,
    now: datetime,
    staff: LoginAccount | None = None,
) -> Registered:
    """Register the card's holder as a guest (`check`: what the home library said, None when
    it could not be asked; `entered`: the details from the ID document, needed then, and the
    birth date when the home library gives none), or again once their guest subscription ended;
    the home library's data are kept to the columns' lengths."""
    check_card(session, card)
    details = _details(check, entered)
    existing = guest_by_card(session, card)
    if existing is None:
        found = _new_guest(session, card, check, details, branch, now)
    else:
        found = _registered_again(session, existing, check, now)
    if staff is not None:
        after = {"isil": card.isil, "home_card_number": card.number, "again": found.again}
        after |= {"verification": found.home.verification.value}
        audit.record(session, staff, REGISTERED, now, patron_id=found.patron.id, after=after)
    return found


def _new_guest(
    session: Session,
    card: HomeCard,
    check: HomeCheck | None,
    details: PersonalDetails,
    branch: Branch,
    now: datetime,
) -> Registered:
    """A new guest record with the first guest subscription (three months) and its home; the
    details entered at registration checked as the desk checks a patron's (the home library's
    are its own)."""
    if check is None or check.person is None:
        check_person(details, now)
    values = details.to_json() | {"birth_date": details.birth_date}
    patron = Patron(**values, home_branch=branch, created_at=now, lending_blocked=False)
    patron.customer_type = CustomerType.GUEST
    give_customer_number(session, patron, has_card=False)
    _subscribe(session, patron, GuestRegistration.FIRST, now)
    session.add(patron)
    home = GuestHome(patron=patron, isil=card.isil, home_card_number=card.number)
    home.registered_at = now
    _record_check(home, check, now)
    try:
        with session.begin_nested():
            session.add(home)
    except IntegrityError as error:  # the same card registered at this moment elsewhere
        if not any(name in str(error.orig) for name in CARD_CONSTRAINT):
            raise
        raise DomainError(
            "guest_already_registered", number=_their_number(session, card)
        ) from error
    index_names(session, patron)
    return Registered(patron, home, again=False)


def _registered_again(
    session: Session, home: GuestHome, check: HomeCheck | None, now: datetime
) -> Registered:
    """The guest subscription again (*herinschrijven*: twelve months, klanttype 04), refused
    while the one they have still runs."""
    patron = home.patron
    lock_row(session, Patron, patron.id)  # a second registration at once waits, then sees this
    session.refresh(patron)
    running = current_subscription(patron)
    if running is not None and running.end_date >= local_today(now):
        raise DomainError("guest_already_registered", number=patron.customer_number)
    _subscribe(session, patron, GuestRegistration.AGAIN, now)
    home.customer_type_code, home.registered_at = AGAIN_CUSTOMER_TYPE, now
    _record_check(home, check, now)
    session.flush()
    return Registered(patron, home, again=True)


def _their_number(session: Session, card: HomeCard) -> str:
    """The customer number of the guest of this card, registered meanwhile."""
    found = guest_by_card(session, card)
    return found.patron.customer_number if found else ""


def _subscribe(session: Session, patron: Patron, which: GuestRegistration, now: datetime) -> None:
    """The catalogue's guest subscription for this registration, from today, free."""
    kinds = session.scalars(select(SubscriptionType).where(SubscriptionType.guest == which))
    kind = kinds.first()
    if kind is None:
        raise DomainError("guest_subscription_missing")
    start = local_today(now)
    subscription = Subscription(type=kind, start_date=start, end_date=valid_through(kind, start))
    subscription.price, subscription.paid_by = kind.price, PaymentPlan.ONCE
    subscription.loan_strips = kind.loan_strips
    patron.subscriptions.append(subscription)


def _record_check(home: GuestHome, check: HomeCheck | None, now: datetime) -> None:
    """What the home library said (or that it could not be asked) on the guest's home."""
    home.verification = Verification.UNVERIFIED if check is None else Verification.VERIFIED
    home.home_valid_through = check.valid_through if check else None
    home.synced_at, home.sync_error = (now if check else None), ""


def _details(check: HomeCheck | None, entered: PersonalDetails | None) -> PersonalDetails:
    """The record's details: the home library's where it was asked (the birth date from the ID
    document when it gives none), else those entered from the ID document."""
    person = check.person if check else None
    if person is None:
        if entered is None:
            raise DomainError("guest_details_required")
        return entered
    birth_date = person.birth_date or (entered.birth_date if entered else None)
    if birth_date is None:
        raise DomainError("guest_details_required")
    return from_home(person, birth_date)
