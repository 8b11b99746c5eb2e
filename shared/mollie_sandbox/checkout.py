"""The hosted test checkout: the payer picks the outcome, as on Mollie's test-mode page."""

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from shared.mollie_sandbox import actions, mandates
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus, is_final
from shared.mollie_sandbox.state import Record
from shared.mollie_sandbox.store import current_store

bp = Blueprint("sandbox_checkout", __name__)
CHOICES = {
    PaymentStatus.PAID: "Paid: the payment succeeds.",
    PaymentStatus.FAILED: "Failed: the bank refuses the payment.",
    PaymentStatus.CANCELED: "Canceled: the payer gives up.",
    PaymentStatus.EXPIRED: "Expired: the payer never finishes.",
    PaymentStatus.OPEN: "Open: leave the payment open, nothing happens.",
}
NO_CHOICE = "Choose one of the outcomes below."


@bp.get("/checkout/<payment_id>")
def show_checkout(payment_id: str) -> str | tuple[str, int]:
    """The outcome form for a payment that may still change, else what became of it."""
    payment = current_store().find(payment_id)
    if payment is None:
        return _not_found(payment_id)
    if is_final(payment):
        return render_template("sandbox/final.html", payment=payment)
    return _checkout_page(payment)


@bp.post("/checkout/<payment_id>")
def submit_checkout(payment_id: str) -> Response | tuple[str, int]:
    """Apply the chosen outcome, post the webhook, and send the payer back to the shop."""
    payment = current_store().find(payment_id)
    if payment is None:
        return _not_found(payment_id)
    status = chosen_status(CHOICES)
    if status is None:
        return _checkout_page(payment, status=NO_CHOICE), 400
    try:
        consumer = _typed_consumer(payment)
    except ApiError as refused:
        return _checkout_page(payment, account=refused.detail), 400
    this_page = url_for(".show_checkout", payment_id=payment_id)
    try:
        actions.settle(current_store(), payment_id, status, webhook=True, consumer=consumer)
    except ApiError:  # already final (a second submit): show what became of it
        return redirect(this_page, 303)
    return redirect(payment.get("redirectUrl") or this_page, 303)


def chosen_status(choices: dict[PaymentStatus, str]) -> PaymentStatus | None:
    """The outcome picked in the form's `status` field; None when it is not one of `choices`."""
    chosen = request.form.get("status", "")
    return next((status for status in choices if status == chosen), None)


def _typed_consumer(payment: Record) -> mandates.ConsumerDetails | None:
    """The account holder and IBAN typed in for a first payment's mandate; None for others."""
    if payment["sequenceType"] != "first":
        return None
    name = request.form.get("consumer_name", "").strip()
    return mandates.consumer_details(name, request.form.get("consumer_account", "").strip())


def _checkout_page(payment: Record, **errors: str) -> str:
    """The outcome form; `errors` by fieldset (status, account), shown next to it."""
    return render_template(
        "sandbox/checkout.html",
        payment=payment,
        choices=CHOICES,
        errors=errors,
        default_name=mandates.DEFAULT_NAME,
        default_account=mandates.DEFAULT_ACCOUNT,
    )


def _not_found(payment_id: str) -> tuple[str, int]:
    """The page for a payment id the sandbox does not know."""
    return render_template("sandbox/not_found.html", payment_id=payment_id), 404
