"""Kiosk API: a guest patron registering themselves with their own library card (seed 003)."""

from typing import Any

from portal.api.kiosk_common import bp, document_reading, kiosk
from portal.api.kiosk_schemas import GuestLibraries, GuestRegistered, GuestRegistration, Libraries
from portal.extensions import db
from portal.wiring import home_libraries, mail_settings, now
from shared.catalogue.isil import libraries_for_card, library_of
from shared.errors import DomainError
from shared.guests.registration import HomeCard, Registered
from shared.guests.self_service import KioskGuest, register_at_kiosk
from shared.mail.patron_mail import patron_email
from shared.patrons.subscriptions import current_subscription


@bp.post("/guests/libraries")
@bp.arguments(GuestLibraries)
@bp.response(200, Libraries)
@bp.refusing(400)
def guest_libraries(body: dict[str, Any]) -> dict[str, Any]:
    """The libraries the card may come from: the chip's ISIL alone, else those of the number's
    prefix and those found by name."""
    session = db.session()
    found = libraries_for_card(session, body["card_number"], body["search"], body["isil"])
    return {"libraries": [{"isil": c.isil, "organisation": c.organisation} for c in found]}


@bp.post("/guests")
@bp.arguments(GuestRegistration)
@bp.response(201, GuestRegistered)
@bp.refusing(400, 409, 422, 429)
def register_guest(body: dict[str, Any]) -> dict[str, Any]:
    """Register the holder of the card as a guest: their own library asked, their ID document
    compared with its data; refused to the desk where that cannot be done here."""
    if not body["accepted_terms"]:
        raise DomainError("guest_terms_not_accepted")
    card = HomeCard(body["isil"], body["card_number"])
    reading = document_reading(body["document"])
    guest = KioskGuest(card, reading, kiosk(), body["locale"] or "nl")
    session = db.session()
    try:
        found = register_at_kiosk(
            session, guest, home_libraries().for_isil(card.isil), mail_settings(), now()
        )
    except DomainError:
        session.commit()  # keep the count of refusals at this kiosk
        raise
    session.commit()
    return _registered(found, guest.locale)


def _registered(found: Registered, locale: str) -> dict[str, Any]:
    """The answer: the guest's number, name, subscription, strips, library and mail."""
    patron, subscription = found.patron, current_subscription(found.patron)
    library = library_of(db.session(), found.home.isil)
    return {
        "number": patron.customer_number,
        "display_name": patron.display_name,
        "subscription": subscription.type.name(locale) if subscription else "",
        "valid_through": subscription.end_date.isoformat() if subscription else "",
        "loan_strips": (subscription.loan_strips or 0) if subscription else 0,
        "library": library.organisation if library else found.home.isil,
        "mailed": patron_email(patron) is not None,
    }
