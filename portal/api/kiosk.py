"""The kiosk API under /api/kiosk/v1: what a patron owes and paying it on the PIN terminal."""

import logging
import re
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from werkzeug.wrappers import Response

from portal.extensions import csrf
from portal.settlement import settle
from portal.wiring import payment_provider, payment_urls
from shared import ledger
from shared.db import db
from shared.errors import DomainError
from shared.kiosks import authenticate
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments.provider import PaymentProviderError
from shared.payments.service import find_by_reference
from shared.point_of_sale import cancel_terminal_payment, find_patron, start_terminal_payment

bp = Blueprint("kiosk_api", __name__, url_prefix="/api/kiosk/v1")
csrf.exempt(bp)
log = logging.getLogger(__name__)
REFUSAL_STATUS = {"not_cancelable": 409, "request_key_reused": 422}
AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


@bp.before_request
def require_device() -> Response | None:
    """Every call carries a registered kiosk's token: `Authorization: Bearer <token>`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    device = authenticate(db.session, token) if scheme == "Bearer" and token else None
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
    body = {"error": error.code, **{k: str(v) for k, v in error.params.items()}}
    return jsonify(body), REFUSAL_STATUS.get(error.code, 422)


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


@bp.get("/patrons/<number>/balance")
def balance(number: str) -> Response:
    """What the patron owes, with the ledger lines behind it."""
    patron = _patron(number)
    entries = [
        {"type": e.entry_type, "amount": f"{e.amount:.2f}", "description": e.description}
        for e in ledger.entries(db.session, patron.id)
    ]
    owed = ledger.balance(db.session, patron.id)
    return jsonify(patron=number, balance=f"{owed:.2f}", currency="EUR", entries=entries)


@bp.post("/payments")
def create_payment() -> tuple[Response, int]:
    """Start a terminal payment; the Idempotency-Key header makes a retry return the same one."""
    key = request.headers.get("Idempotency-Key", "")
    body = request.get_json(silent=True)
    if not 8 <= len(key) <= 64 or not isinstance(body, dict):
        return jsonify(error="bad_request", message="Send JSON and an Idempotency-Key."), 400
    patron = _patron(str(body.get("patron", "")))
    device: KioskDevice = g.kiosk
    payment = start_terminal_payment(
        db.session,
        device,
        patron,
        _amount(body.get("amount")),
        key,
        payment_provider(),
        payment_urls(),
    )
    db.session.commit()
    return jsonify(_payment_json(payment)), 201


@bp.get("/payments/<reference>")
def payment_status(reference: str) -> Response:
    """The payment's status, fetched from the provider while it may still change."""
    payment = _own_payment(reference)
    settle(payment)
    return jsonify(_payment_json(payment))


@bp.post("/payments/<reference>/cancel")
def cancel_payment(reference: str) -> Response:
    """Cancel while the terminal allows it (409 once the card was accepted)."""
    payment = _own_payment(reference)
    cancel_terminal_payment(payment, payment_provider())
    settle(payment)
    return jsonify(_payment_json(payment))


def _patron(number: str) -> Patron:
    """The patron with this number, or a JSON 404."""
    patron = find_patron(db.session, number)
    if patron is None:
        abort(404)
    return patron


def _own_payment(reference: str) -> Payment:
    """A payment this kiosk started; others' payments do not exist for it."""
    payment = find_by_reference(db.session, reference)
    if payment is None or payment.kiosk_device_id != g.kiosk.id:
        abort(404)
    return payment


def _amount(raw: Any) -> Decimal | None:
    """An amount given as a string like "12.50"; absent means everything owed."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not AMOUNT.match(raw):
        raise DomainError("invalid_amount")
    return Decimal(raw)


def _payment_json(payment: Payment) -> dict[str, Any]:
    """What the kiosk needs to follow a terminal payment."""
    return {
        "reference": payment.reference,
        "status": payment.status,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "terminal": payment.terminal_id,
    }
