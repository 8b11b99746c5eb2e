"""Kiosk API: what a patron owes, paying it on the PIN terminal, and mailing the receipt."""

import re
from decimal import Decimal
from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from portal.api.kiosk_common import bp, kiosk, number_patron
from portal.extensions import db
from portal.settlement import settle
from portal.wiring import mail_settings, now, payment_provider, payment_urls
from shared.errors import DomainError
from shared.kiosks.mails import queue_payment_receipt
from shared.models.payment import Payment
from shared.payments import ledger
from shared.payments.point_of_sale import cancel_terminal_payment, start_terminal_payment
from shared.payments.service import find_by_reference

AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


@bp.get("/patrons/<number>/balance")
def balance(number: str) -> Response:
    """What the patron owes, with the ledger lines behind it."""
    patron = number_patron(number)
    entries = [
        {"type": e.entry_type, "amount": f"{e.amount:.2f}", "description": e.description}
        for e in ledger.entries(db.session(), patron.id)
    ]
    owed = ledger.balance(db.session(), patron.id)
    return jsonify(patron=number, balance=f"{owed:.2f}", currency="EUR", entries=entries)


@bp.post("/payments")
def create_payment() -> tuple[Response, int]:
    """Start a terminal payment; the Idempotency-Key header makes a retry return the same one."""
    key = request.headers.get("Idempotency-Key", "")
    body = request.get_json(silent=True)
    if not 8 <= len(key) <= 64 or not isinstance(body, dict):
        return jsonify(error="bad_request", message="Send JSON and an Idempotency-Key."), 400
    patron = number_patron(str(body.get("patron", "")))
    payment = start_terminal_payment(
        db.session(),
        kiosk(),
        patron,
        _amount(body.get("amount")),
        key,
        payment_provider(),
        payment_urls(),
        now(),
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


@bp.post("/payments/<reference>/receipt-mail")
def mail_receipt(reference: str) -> tuple[Response, int]:
    """Mail the receipt of a paid payment to the patron (when the kiosk could not print it)."""
    queue_payment_receipt(db.session(), _own_payment(reference), kiosk(), mail_settings(), now())
    db.session.commit()
    return jsonify(queued=True), 202


def _own_payment(reference: str) -> Payment:
    """A payment this kiosk started; others' payments do not exist for it."""
    payment = find_by_reference(db.session(), reference)
    if payment is None or payment.kiosk_device_id != kiosk().id:
        raise DomainError("not_found")
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
