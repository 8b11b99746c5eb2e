"""The sandbox's front page: what it holds, with buttons for what terminals and schedules do."""

from contextlib import suppress

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from shared.mollie_sandbox import actions, customers, subscriptions
from shared.mollie_sandbox.checkout import chosen_status
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.store import current_store

bp = Blueprint("sandbox_front", __name__)
TERMINAL_CHOICES = {
    PaymentStatus.PENDING: "Card presented",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.FAILED: "Failed",
    PaymentStatus.CANCELED: "Canceled",
    PaymentStatus.EXPIRED: "Expired",
}
CHARGE_CHOICES = {PaymentStatus.PAID: "Collect: paid", PaymentStatus.FAILED: "Collect: failed"}


@bp.get("/")
def index() -> str:
    """Every payment newest first, then the customers and their subscriptions."""
    store = current_store()
    return render_template(
        "sandbox/index.html",
        payments=store.all(),
        customers=store.read(customers.every),
        subscriptions=store.read(subscriptions.every),
        terminal_choices=TERMINAL_CHOICES,
        charge_choices=CHARGE_CHOICES,
    )


@bp.post("/terminal/<payment_id>")
def use_terminal(payment_id: str) -> Response:
    """Do at the terminal what the button says: present a card, or end the payment."""
    status = chosen_status(TERMINAL_CHOICES)
    payment = current_store().find(payment_id)
    if status is not None and payment is not None and payment["method"] == "pointofsale":
        with suppress(ApiError):  # already final: the front page shows what it became
            actions.settle(current_store(), payment_id, status, webhook=True)
    return redirect(url_for(".index"), 303)


@bp.post("/subscriptions/<subscription_id>/charge")
def charge(subscription_id: str) -> Response:
    """Collect the subscription's next period now, as Mollie would on its schedule."""
    status = chosen_status(CHARGE_CHOICES)
    if status is not None:
        with suppress(ApiError):  # no longer active: the front page shows its status
            actions.charge(current_store(), subscription_id, status, webhook=True)
    return redirect(url_for(".index"), 303)
