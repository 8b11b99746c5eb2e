"""The kiosk API's blueprint and what its views share: device and ticket checks, errors, JSON."""

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.wrappers import Response

from portal.extensions import csrf, db
from portal.wiring import now
from shared.errors import DomainError
from shared.kiosks.devices import authenticate
from shared.kiosks.tickets import Proof, read_ticket
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron
from shared.payments.provider import PaymentProviderError
from shared.refusals import http_status

bp = Blueprint("kiosk_api", __name__, url_prefix="/api/kiosk/v1")
csrf.exempt(bp)
log = logging.getLogger(__name__)
TICKET_HEADER = "X-Kiosk-Ticket"
ANY_PROOF = frozenset(Proof)


@bp.before_request
def require_device() -> Response | None:
    """Every call carries a registered kiosk's token: `Authorization: Bearer <token>`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    device = authenticate(db.session(), token, now()) if scheme == "Bearer" and token else None
    if device is None:
        response = jsonify(error="unauthorized", message="A valid kiosk device token is needed.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
        return response
    db.session.commit()
    g.kiosk = device
    return None


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> tuple[Response, int]:
    """A rule said no: the code and its details, for the kiosk to explain in its language."""
    db.session.rollback()
    body = {"error": error.code, **{k: _json_text(v) for k, v in error.params.items()}}
    return jsonify(body), http_status(error.code)


def _json_text(value: object) -> str:
    """A refusal's detail as JSON text: moments in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


@bp.errorhandler(PaymentProviderError)
def provider_down(error: PaymentProviderError) -> tuple[Response, int]:
    """The payment service is unreachable: nothing was written, the kiosk may retry."""
    db.session.rollback()
    log.error("kiosk %s: payment provider unavailable: %s", g.get("kiosk"), error)
    return jsonify(error="provider_unavailable"), 503


@bp.errorhandler(404)
def not_found(_error: Exception) -> tuple[Response, int]:
    """An unknown patron or payment, in JSON."""
    return jsonify(error="not_found"), 404


def kiosk() -> KioskDevice:
    """The kiosk making this call."""
    return g.kiosk


def ticket_patron(allowed: frozenset[Proof] = ANY_PROOF) -> Patron:
    """The patron of this kiosk's ticket, if they proved themselves in an allowed way."""
    secret = current_app.config["SECRET_KEY"]
    ticket = read_ticket(secret, request.headers.get(TICKET_HEADER, ""), kiosk().id, now())
    ticket.require(allowed)
    patron = db.session.get(Patron, ticket.patron_id)
    if patron is None:
        raise DomainError("ticket_invalid")
    return patron


def number_patron(number: str) -> Patron:
    """The patron with this customer, system or card number; `not_found` otherwise."""
    patron = find_patron(db.session(), number)
    if patron is None:
        raise DomainError("not_found")
    return patron


def json_body() -> dict[str, Any]:
    """The request's JSON object (an empty body counts as `{}`)."""
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise DomainError("bad_request", message="Send a JSON object.")
    return body


def text(body: dict[str, Any], name: str) -> str:
    """A required, non-empty string field of the body."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DomainError("bad_request", field=name)
    return value
