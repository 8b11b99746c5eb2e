"""Kiosk API: what a patron owes, paying it on the PIN terminal, and mailing the receipt."""

from decimal import Decimal
from typing import Any

from portal.api.kiosk_common import bp, kiosk, number_patron
from portal.api.kiosk_schemas import Balance, Language, NewPayment, Queued, RequestKey
from portal.api.kiosk_schemas import Payment as PaymentAnswer
from portal.extensions import db
from portal.settlement import settle
from portal.wiring import mail_settings, now, payment_provider, payment_urls
from shared.errors import DomainError
from shared.kiosks.mails import queue_payment_receipt
from shared.models.payment import Payment
from shared.payments import ledger
from shared.payments.point_of_sale import (
    cancel_terminal_payment,
    kiosk_till,
    start_terminal_payment,
)
from shared.payments.service import find_by_reference


@bp.get("/patrons/<number>/balance")
@bp.response(200, Balance)
@bp.refusing(404)
def balance(number: str) -> dict[str, Any]:
    """What the patron owes (`number` may also be an active card's), with the ledger lines
    behind it and the charges still open, oldest first."""
    patron = number_patron(number)
    entries = [
        {"type": e.entry_type, "amount": f"{e.amount:.2f}", "description": e.description}
        for e in ledger.entries(db.session(), patron.id)
    ]
    open_charges = [
        {"description": c.description, "amount": f"{c.amount:.2f}"}
        for c in ledger.open_charges(db.session(), patron.id)
    ]
    owed = ledger.balance(db.session(), patron.id)
    return {
        "patron": number,
        "balance": f"{owed:.2f}",
        "currency": "EUR",
        "entries": entries,
        "open_charges": open_charges,
    }


@bp.post("/payments")
@bp.arguments(RequestKey, location="headers")
@bp.arguments(NewPayment)
@bp.response(201, PaymentAnswer)
@bp.refusing(400, 404, 422, 503)
def create_payment(headers: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Start a payment on the kiosk's PIN terminal, cancelling one still waiting there; the
    Idempotency-Key header makes a retry return the same one."""
    patron = number_patron(body["patron"])
    amount = Decimal(body["amount"]) if body["amount"] is not None else None
    payment = start_terminal_payment(
        db.session(),
        kiosk_till(kiosk()),
        patron,
        amount,
        headers["key"],
        payment_provider(),
        payment_urls(),
        now(),
    )
    db.session.commit()
    return _payment_json(payment)


@bp.get("/payments/<reference>")
@bp.response(200, PaymentAnswer)
@bp.refusing(404, 503)
def payment_status(reference: str) -> dict[str, Any]:
    """A payment's status, fetched from the provider while it may still change."""
    payment = _own_payment(reference)
    settle(payment)
    return _payment_json(payment)


@bp.post("/payments/<reference>/cancel")
@bp.response(200, PaymentAnswer)
@bp.refusing(404, 409, 503)
def cancel_payment(reference: str) -> dict[str, Any]:
    """Cancel a payment while the terminal allows it (409 once the card was accepted)."""
    payment = _own_payment(reference)
    cancel_terminal_payment(payment, payment_provider())
    settle(payment)
    return _payment_json(payment)


@bp.post("/payments/<reference>/receipt-mail")
@bp.arguments(Language, required=False)
@bp.response(202, Queued)
@bp.refusing(400, 404, 409, 422)
def mail_receipt(body: dict[str, Any], reference: str) -> dict[str, Any]:
    """Mail the receipt of a paid payment to its patron (when the kiosk could not print it),
    in the language of the patron at the kiosk."""
    payment = _own_payment(reference)
    queue_payment_receipt(
        db.session(), payment, kiosk(), mail_settings(), now(), locale=body["locale"]
    )
    db.session.commit()
    return {"queued": True}


def _own_payment(reference: str) -> Payment:
    """A payment this kiosk started; others' payments do not exist for it."""
    payment = find_by_reference(db.session(), reference)
    if payment is None or payment.kiosk_device_id != kiosk().id:
        raise DomainError("not_found")
    return payment


def _payment_json(payment: Payment) -> dict[str, Any]:
    """What the kiosk needs to follow a terminal payment."""
    return {
        "reference": payment.reference,
        "status": payment.status,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "terminal": payment.terminal_id,
    }
