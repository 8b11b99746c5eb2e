"""Control endpoints for what happens at Mollie after the fact (no API key needed): chargebacks
and their reversals, schedules and mandates ended by Mollie or the bank, and time passing."""

from enum import StrEnum
from typing import Any

from flask import Blueprint, Response, request

from shared.mollie_sandbox import actions, chargebacks, mandates, recurring, subscriptions
from shared.mollie_sandbox.api import rendered
from shared.mollie_sandbox.body import JsonBody
from shared.mollie_sandbox.errors import hal_response
from shared.mollie_sandbox.store import current_store

bp = Blueprint("sandbox_incidents", __name__, url_prefix="/_sandbox")


class SubscriptionEnd(StrEnum):
    """How Mollie ends a schedule on its own: the dashboard cancels, a dead mandate suspends."""

    SUSPENDED = "suspended"
    CANCELED = "canceled"


class MandateEnd(StrEnum):
    """What the bank makes of a mandate."""

    INVALID = "invalid"


@bp.post("/payments/<payment_id>/chargeback")
def charge_back(payment_id: str) -> Response:
    """Reverse a paid payment; JSON {"amount": "5.00"?, "reason": {"code", "description"}?,
    "webhook"?}; the whole of what is left when no amount is given."""
    body = JsonBody(request.get_json(silent=True) or {})
    value, reason, webhook = body.money("amount"), _reason(body), body.flag("webhook", True)
    chargeback = actions.charge_back(current_store(), payment_id, value, reason, webhook=webhook)
    return rendered(chargebacks.render, chargeback, "get-payment-chargeback", 201)


@bp.post("/payments/<payment_id>/chargebacks/<chargeback_id>/reverse")
def reverse_chargeback(payment_id: str, chargeback_id: str) -> Response:
    """The bank gives a chargeback's money back after all; JSON {"webhook"?}."""
    webhook = JsonBody(request.get_json(silent=True) or {}).flag("webhook", True)
    store = current_store()
    chargeback = actions.reverse_chargeback(store, payment_id, chargeback_id, webhook=webhook)
    return rendered(chargebacks.render, chargeback, "get-payment-chargeback")


@bp.post("/subscriptions/<subscription_id>/status")
def end_subscription(subscription_id: str) -> Response:
    """Suspend or cancel a schedule as Mollie does; no webhook, as Mollie sends none."""
    status = JsonBody(request.get_json(silent=True)).choice("status", SubscriptionEnd)
    store = current_store()
    ended = store.write(subscriptions.end_at_mollie, subscription_id, status, store.clock.now())
    return rendered(subscriptions.render, ended, "get-subscription")


@bp.post("/mandates/<mandate_id>/status")
def end_mandate(mandate_id: str) -> Response:
    """The bank makes the mandate invalid; the schedules on it are suspended, without webhook."""
    JsonBody(request.get_json(silent=True)).choice("status", MandateEnd)
    mandate = current_store().write(recurring.invalidate_mandate, mandate_id)
    return rendered(mandates.render, mandate, "get-mandate")


@bp.get("/clock")
def read_clock() -> Response:
    """The sandbox's moment and how far it is ahead of the machine's."""
    return hal_response(current_store().clock.reading())


@bp.post("/clock")
def move_clock() -> Response:
    """Move the sandbox's time, JSON {"advance_seconds": N} or {"now": ISO-8601}; what expired
    meanwhile is expired at once and its webhooks posted before the answer."""
    body, store = JsonBody(request.get_json(silent=True)), current_store()
    moment, seconds = body.moment("now"), body.get("advance_seconds")
    if moment is not None:
        store.clock.set(moment)
    elif isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        store.clock.advance(seconds)
    else:
        body.refuse("advance_seconds", "Give advance_seconds (0 or more) or now.")
    expired = actions.expire_due(store, wait=True)
    return hal_response({**store.clock.reading(), "expired": [p["id"] for p in expired]})


def _reason(body: JsonBody) -> dict[str, Any] | None:
    """The bank's reason as Mollie shows it for direct debits: {"code", "description"}."""
    reason = body.get("reason")
    if reason is not None and not (
        isinstance(reason, dict)
        and set(reason) == {"code", "description"}
        and all(isinstance(value, str) for value in reason.values())
    ):
        body.refuse("reason", 'The reason must be {"code": "MD06", "description": "..."}.')
    return reason
