"""A guest registering themselves at a kiosk (seed 003, self-service): their own card read (its
chip's ISIL decides over the number's prefix), the own library asked, their ID document compared
with the own library's data, the terms accepted; then the guest record, the ID check kept as at
collecting a card, and a welcome mail when an address is known. A library that cannot be asked
sends the patron to the desk: unverified registration needs the desk's eyes."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from shared.accounts import throttle
from shared.catalogue.isil import library_of
from shared.errors import DomainError
from shared.guests.home_library import HomeLibrary
from shared.guests.home_person import split_name
from shared.guests.registration import (
    HomeCard,
    Registered,
    check_card,
    home_answer,
    refuse_at_home,
    register_guest,
)
from shared.kiosks.id_checks import DocumentReading, Holder, document_outcome, record_reading
from shared.mail.patron_mail import patron_email, queue_mail
from shared.mail.settings import MailSettings
from shared.models.id_check import IdCheckOutcome
from shared.models.kiosk import KioskDevice
from shared.patrons.subscriptions import current_subscription
from shared.timeutil import local_today

WELCOME = "guest_welcome"  # the mail's template
# Outcomes whatever the holder: a document that is not genuine, or has expired.
UNUSABLE = frozenset({IdCheckOutcome.INTEGRITY, IdCheckOutcome.EXPIRED})
NOBODY = Holder("", "", date.min)  # compared with no one: only what the document says of itself


@dataclass(frozen=True)
class KioskGuest:
    """A guest registering at a kiosk: their own card, their ID document as read, the kiosk,
    and the language they chose there."""

    card: HomeCard
    reading: DocumentReading
    device: KioskDevice
    locale: str


def register_at_kiosk(
    session: Session,
    guest: KioskGuest,
    home: HomeLibrary | None,
    mail: MailSettings,
    now: datetime,
) -> Registered:
    """The guest registered on their own card and ID document, the check kept and the welcome
    mail queued; refused to the desk when the document is not genuine or has expired, when
    their own library cannot be asked here, or when the document is not its patron's. Refusals
    count per kiosk with growing waits: each asks another library about a card."""
    key = throttle.kiosk_guest_key(guest.device.id)
    try:
        throttle.refuse_while_locked(session, [key], now)
    except DomainError as locked:
        raise DomainError("too_many_guest_attempts", **locked.params) from locked
    try:
        with session.begin_nested():  # a refusal leaves nothing of the registration
            registered = _registered(session, guest, home, now)
    except DomainError:
        throttle.count_failure(session, key, now, throttle.growing_wait)
        raise
    # A document that matched a library's patron proves someone was there: the count restarts.
    throttle.forget_failures(session, key)
    _welcome(session, registered, mail, now, guest.locale)
    return registered


def _registered(
    session: Session, guest: KioskGuest, home: HomeLibrary | None, now: datetime
) -> Registered:
    """The checks in the order that asks the other library last, then the registration."""
    today = local_today(now)
    if document_outcome(NOBODY, guest.reading, today) in UNUSABLE:
        raise DomainError("guest_document_not_verified")  # before any question to the library
    check_card(session, guest.card)
    if home is None:
        raise DomainError("guest_at_the_desk")
    # Whether the card's holder is known or blocked there is said only to that holder: the
    # document is compared first (anyone may type a number).
    check = home_answer(session, home, guest.card, now)
    if check is None or not check.known or check.person is None:
        raise DomainError("guest_document_not_verified")
    if check.person.birth_date is None:
        raise DomainError("guest_at_the_desk")  # too little to compare the document with
    prefix, surname, _ = split_name(check.person.name)
    holder = Holder(prefix, surname, check.person.birth_date)
    if document_outcome(holder, guest.reading, today) != IdCheckOutcome.VERIFIED:
        raise DomainError("guest_document_not_verified")
    refuse_at_home(check, now)
    registered = register_guest(session, guest.card, check, None, guest.device.branch, now)
    if not registered.again:
        registered.patron.locale = guest.locale
    record_reading(session, registered.patron, guest.device.id, guest.reading, now)
    return registered


def _welcome(
    session: Session, registered: Registered, mail: MailSettings, now: datetime, locale: str
) -> None:
    """The welcome mail to the guest, when an address is known."""
    patron = registered.patron
    address = patron_email(patron)
    if address is None:
        return
    home = library_of(session, registered.home.isil)
    context = {
        "library": home.organisation if home else registered.home.isil,
        "card_number": registered.home.home_card_number,
        "subscription": current_subscription(patron),
    }
    key = f"{WELCOME}:guest:{registered.home.id}:{registered.home.registered_at.isoformat()}"
    queue_mail(session, mail, WELCOME, address, patron, context, now, key=key, locale=locale)
