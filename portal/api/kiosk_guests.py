"""Kiosk API: a guest patron registering themselves with their own library card (seed 003)."""

from typing import Any

from portal.api.kiosk_common import bp, kiosk
from portal.api.kiosk_patrons import document_reading
from portal.api.kiosk_schemas import GuestLibraries, GuestRegistered, GuestRegistration, Libraries
from portal.extensions import db
from portal.wiring import home_libraries, mail_settings, now
from shared.catalogue.isil import library_of
from shared.errors import DomainError
from shared.guests.registration import HomeCard
from shared.guests.self_service import libraries_for, register_at_kiosk
from shared.mail.patron_mail import patron_email
from shared.patrons.subscriptions import current_subscription


@bp.post("/guests/libraries")
@bp.arguments(GuestLibraries)
@bp.response(200, Libraries)
@bp.refusing(400)
def guest_libraries(body: dict[str, Any]) -> dict[str, Any]:
    """The libraries the card may come from: the chip's ISIL alone, else those of the number's
    prefix and those found by name."""
    found = libraries_for(db.session(), body["card_number"], body["isil"], body["search"])
    return {"libraries": [{"isil": c.isil, "organisation": c.organisation} for c in found]}


@bp.post("/guests")
@bp.arguments(GuestRegistration)
@bp.response(201, GuestRegistered)
@bp.refusing(400, 409, 422)
def register_guest(body: dict[str, Any]) -> dict[str, Any]:
    """Register the holder of the card as a guest: their own library asked, their ID document
    compared with its data; refused to the desk where that cannot be done here."""
    if not body["accepted_terms"]:
        raise DomainError("guest_terms_not_accepted")
    card = HomeCard(body["isil"], body["card_number"])
    home = home_libraries().for_isil(card.isil)
    reading = document_reading(body["document"])
    session = db.session()
    locale = body["locale"] or "nl"
    found = register_at_kiosk(session, card, home, reading, kiosk(), mail_settings(), now(), locale)
    session.commit()
    patron, subscription = found.patron, current_subscription(found.patron)
    library = library_of(session, card.isil)
    return {
        "number": patron.customer_number,
        "display_name": patron.display_name,
        "subscription": subscription.type.name(locale) if subscription else "",
        "valid_through": subscription.end_date.isoformat() if subscription else "",
        "loan_strips": (subscription.loan_strips or 0) if subscription else 0,
        "library": library.organisation if library else card.isil,
        "mailed": patron_email(patron) is not None,
    }
