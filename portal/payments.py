"""The payment return page and the provider's webhook."""

import hmac
import logging

from flask import Blueprint, abort, render_template, request, session
from werkzeug.wrappers import Response

from portal.extensions import csrf
from portal.wiring import mail_settings, payment_provider
from shared.db import db
from shared.models.payment import Payment, PaymentStatus
from shared.payments.provider import PaymentProviderError
from shared.payments.service import find_by_reference
from shared.signup_payment import process_payment

bp = Blueprint("payments", __name__)
log = logging.getLogger(__name__)
RETRYABLE = (PaymentStatus.FAILED, PaymentStatus.CANCELED, PaymentStatus.EXPIRED)


def update_from_provider(payment: Payment) -> None:
    """Fetch the status and act on it; a provider outage leaves everything as it was."""
    try:
        process_payment(db.session, payment, payment_provider(), mail_settings())
        db.session.commit()
    except PaymentProviderError as error:
        db.session.rollback()
        log.error("payment %s: status could not be fetched: %s", payment.reference, error)


@bp.get("/word-lid/betaling/<reference>")
def result(reference: str) -> str:
    """Where the patron lands after paying; works from the URL alone, in any browser."""
    payment = find_by_reference(db.session, reference) or abort(404)
    update_from_provider(payment)
    status = PaymentStatus(payment.status)
    if status == PaymentStatus.PAID:
        session.pop("registration", None)
        return render_template("portal/payments/paid.html", payment=payment)
    if status in RETRYABLE:
        return render_template("portal/payments/not_paid.html", status=status)
    return render_template("portal/payments/pending.html", payment=payment)


@bp.post("/betalingen/webhook/<reference>/<secret>")
@csrf.exempt
def webhook(reference: str, secret: str) -> tuple[str, int] | Response:
    """Mollie's trigger: check the secret, then fetch the status (the body is never trusted)."""
    payment = find_by_reference(db.session, reference)
    if payment is None or request.form.get("id") != payment.provider_id:
        return "", 200
    if not hmac.compare_digest(secret, payment.webhook_secret):
        log.warning("webhook for payment %s with a wrong secret refused", reference)
        return "", 403
    try:
        process_payment(db.session, payment, payment_provider(), mail_settings())
        db.session.commit()
    except PaymentProviderError as error:
        db.session.rollback()
        log.error("webhook for payment %s: status could not be fetched: %s", reference, error)
        return "", 503
    return "", 200
