"""Kiosk API: identifying the patron, their summary, and checking their ID document."""

from datetime import date
from typing import Any

from flask import current_app, jsonify
from werkzeug.wrappers import Response

from portal.api.kiosk_common import bp, json_body, kiosk, text, ticket_patron
from portal.api.kiosk_summary import patron_summary
from portal.extensions import db
from portal.wiring import now
from shared.errors import DomainError
from shared.kiosks import identification
from shared.kiosks.id_checks import DocumentReading, record_reading, record_unreadable
from shared.kiosks.tickets import STRONG, Proof, issue_ticket
from shared.models.id_check import IdCheckOutcome
from shared.models.patron import Patron


@bp.post("/identify")
def identify() -> Response:
    """A ticket for the patron who proved who they are at this kiosk."""
    body = json_body()
    if body.get("method") not in [proof.value for proof in Proof]:
        raise DomainError("bad_request", field="method")
    proof = Proof(body["method"])
    try:
        patron = _identify(proof, body)
    except DomainError:
        db.session.commit()  # keep the count of wrong passwords
        raise
    ticket = issue_ticket(current_app.config["SECRET_KEY"], patron.id, kiosk().id, proof, now())
    db.session.commit()
    return jsonify(ticket=ticket, proof=proof, patron=patron_summary(patron))


@bp.get("/patron")
def patron() -> Response:
    """The summary of the ticket's patron, as it is now."""
    return jsonify(patron=patron_summary(ticket_patron()))


@bp.post("/id-checks")
def check_id() -> tuple[Response, int]:
    """Record an ID document check: compared with the record, or why it could not be read."""
    patron, body = ticket_patron(STRONG), json_body()
    if body.get("outcome") == "read":
        check = record_reading(db.session(), patron, kiosk().id, _reading(body), now())
    elif body.get("outcome") == "unreadable":
        check = record_unreadable(db.session(), patron, kiosk().id, text(body, "reason"), now())
    else:
        raise DomainError("bad_request", field="outcome")
    db.session.commit()
    if check.outcome == IdCheckOutcome.VERIFIED:
        return jsonify(verified=True), 201
    return jsonify(verified=False, reason=check.outcome), 201


def _identify(proof: Proof, body: dict[str, Any]) -> Patron:
    """The patron the body's proof points at."""
    if proof == Proof.CARD:
        chip_uid = text(body, "chip_uid") if body.get("chip_uid") is not None else None
        return identification.by_card(db.session(), text(body, "card_number"), chip_uid, now())
    if proof == Proof.QR:
        secret = current_app.config["SECRET_KEY"]
        return identification.by_code(db.session(), secret, text(body, "code"), now())
    login, password = text(body, "login"), text(body, "password")
    return identification.by_password(db.session(), login, password, kiosk().id, now())


def _reading(body: dict[str, Any]) -> DocumentReading:
    """What the kiosk read from the document, checked for shape only."""
    if not isinstance(body.get("sod_hash_ok"), bool):
        raise DomainError("bad_request", field="sod_hash_ok")
    try:
        birth_date = date.fromisoformat(text(body, "birth_date"))
    except ValueError as error:
        raise DomainError("bad_request", field="birth_date") from error
    return DocumentReading(
        document_type=text(body, "document_type"),
        surname=text(body, "surname"),
        birth_date=birth_date,
        sod_hash_ok=body["sod_hash_ok"],
    )
