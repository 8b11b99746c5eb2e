"""A guest registering themselves at a kiosk (seed 003, self-service): their own card read (its
chip's ISIL decides over the number's prefix), the own library asked, their ID document compared
with the own library's data, the terms accepted; then the guest record, the ID check kept as at
collecting a card, and a welcome mail when an address is known. A library that cannot be asked
sends the patron to the desk: unverified registration needs the desk's eyes."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from shared.catalogue.isil import Candidate, library_of, lookup, search_libraries
from shared.errors import DomainError
from shared.guests.home_library import HomeCheck, HomeLibrary
from shared.guests.registration import HomeCard, Registered, ask_home, register_guest, split_name
from shared.kiosks.id_checks import DocumentReading, Holder, document_outcome, record_reading
from shared.mail.patron_mail import patron_email, queue_mail
from shared.mail.settings import MailSettings
from shared.models.id_check import IdCheckOutcome
from shared.models.kiosk import KioskDevice
from shared.patrons.subscriptions import current_subscription
from shared.timeutil import local_today

WELCOME = "guest_welcome"  # the mail's template


def libraries_for(session: Session, card_number: str, isil: str, search: str) -> list[Candidate]:
    """The libraries the card may come from: the chip's ISIL alone when it has one, else those
    of the number's prefix; and those found by name."""
    if isil:
        found = library_of(session, isil) or Candidate(isil, isil)
        return [found]
    try:
        by_number = lookup(session, card_number).candidates
    except ValueError:  # not digits: found by name only
        by_number = []
    by_name = [c for c in search_libraries(session, search) if c not in by_number]
    return [*by_number, *by_name]


def register_at_kiosk(
    session: Session,
    card: HomeCard,
    home: HomeLibrary | None,
    reading: DocumentReading,
    device: KioskDevice,
    mail: MailSettings,
    now: datetime,
    locale: str,
) -> Registered:
    """The guest registered on their own card and ID document, the check kept and the welcome
    mail queued; refused to the desk when their own library cannot be asked here, or when the
    document is not theirs, expired or not genuine."""
    if home is None:
        raise DomainError("guest_at_the_desk")
    check, holder = _compared(ask_home(home, card, now), reading)
    outcome = document_outcome(holder, reading, local_today(now))
    if outcome != IdCheckOutcome.VERIFIED:
        raise DomainError("guest_document_not_verified")
    registered = register_guest(session, card, check, None, device.branch, now)
    registered.patron.locale = locale
    record_reading(session, registered.patron, device.id, reading, now)
    _welcome(session, registered, mail, now, locale)
    return registered


def _compared(check: HomeCheck | None, reading: DocumentReading) -> tuple[HomeCheck, Holder]:
    """The own library's answer (with the document's birth date where it gives none: the
    surname is still compared) and whom the document must belong to."""
    if check is None or check.person is None:
        raise DomainError("guest_at_the_desk")  # no data to compare the document with
    person = check.person
    birth_date = person.birth_date or reading.birth_date
    prefix, surname, _ = split_name(person.name)
    dated = replace(check, person=replace(person, birth_date=birth_date))
    return dated, Holder(prefix, surname, birth_date)


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
