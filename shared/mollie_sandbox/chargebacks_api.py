"""The emulated chargebacks API: a payment's chargebacks and every chargeback of the account."""

from flask import Response

from shared.mollie_sandbox import chargebacks
from shared.mollie_sandbox.api import api_blueprint, listed, rendered
from shared.mollie_sandbox.store import current_store

bp = api_blueprint("sandbox_api_chargebacks")
DOCS = chargebacks.DOCS


@bp.get("/payments/<payment_id>/chargebacks/<chargeback_id>")
def get_chargeback(payment_id: str, chargeback_id: str) -> Response:
    """One chargeback of the payment."""
    chargeback = current_store().read(chargebacks.get, payment_id, chargeback_id)
    return rendered(chargebacks.render, chargeback, "get-payment-chargeback")


@bp.get("/payments/<payment_id>/chargebacks")
def list_payment_chargebacks(payment_id: str) -> Response:
    """The payment's chargebacks, newest first."""
    theirs = current_store().read(chargebacks.of_payment, payment_id)
    return listed("chargebacks", theirs, chargebacks.render, DOCS + "list-payment-chargebacks")


@bp.get("/chargebacks")
def list_all_chargebacks() -> Response:
    """Every chargeback of the account, newest first."""
    every = current_store().read(chargebacks.every)
    return listed("chargebacks", every, chargebacks.render, DOCS + "list-chargebacks")
