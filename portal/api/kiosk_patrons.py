"""Kiosk API: identifying the patron, their summary, and checking their ID document."""

from typing import Any

from flask import current_app

from portal.api.kiosk_common import DEVICE_AND_TICKET, bp, document_reading, kiosk, ticket_patron
from portal.api.kiosk_schemas import IdCheck, Identify, Patron, Ticket, Verdict
from portal.api.kiosk_summary import patron_summary
from portal.extensions import db
from portal.wiring import now
from shared.errors import DomainError
from shared.kiosks import identification
from shared.kiosks.id_checks import record_reading, record_unreadable
from shared.kiosks.tickets import STRONG, Proof, issue_ticket
from shared.models.id_check import IdCheckOutcome
from shared.models.patron import Patron as PatronRow


@bp.post("/identify")
@bp.arguments(Identify)
@bp.response(200, Ticket)
@bp.refusing(400, 422, 429)
def identify(body: dict[str, Any]) -> dict[str, Any]:
    """Identify a patron by card, QR code or password; answers a ticket for this kiosk."""
    proof = Proof(body["method"])
    try:
        patron = _identify(proof, body)
    except DomainError:
        db.session.commit()  # keep the count of wrong passwords
        raise
    ticket = issue_ticket(current_app.config["SECRET_KEY"], patron.id, kiosk().id, proof, now())
    db.session.commit()
    return {"ticket": ticket, "proof": proof, "patron": patron_summary(patron)}


@bp.get("/patron")
@bp.doc(security=DEVICE_AND_TICKET)
@bp.response(200, Patron)
@bp.refusing(403)
def patron() -> dict[str, Any]:
    """The summary of the ticket's patron, as it is now."""
    return {"patron": patron_summary(ticket_patron())}


@bp.post("/id-checks")
@bp.doc(security=DEVICE_AND_TICKET)
@bp.arguments(IdCheck)
@bp.response(201, Verdict)
@bp.refusing(400, 403)
def check_id(body: dict[str, Any]) -> dict[str, Any]:
    """Record an ID document check (ticket proof qr or password): compared with the record,
    or why it could not be read."""
    patron = ticket_patron(STRONG)
    if body["outcome"] == "read":
        check = record_reading(db.session(), patron, kiosk().id, document_reading(body), now())
    else:
        check = record_unreadable(db.session(), patron, kiosk().id, body["reason"], now())
    db.session.commit()
    if check.outcome == IdCheckOutcome.VERIFIED:
        return {"verified": True}
    return {"verified": False, "reason": check.outcome}


def _identify(proof: Proof, body: dict[str, Any]) -> PatronRow:
    """The patron the body's proof points at."""
    if proof == Proof.CARD:
        return identification.by_card(db.session(), body["card_number"], body["chip_uid"], now())
    if proof == Proof.QR:
        secret = current_app.config["SECRET_KEY"]
        return identification.by_code(db.session(), secret, body["code"], kiosk().id, now())
    login, password = body["login"], body["password"]
    return identification.by_password(db.session(), login, password, kiosk().id, now())
