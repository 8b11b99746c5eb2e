"""Validation of create bodies, refusing what Mollie refuses with the same field names."""

import re
from datetime import date
from typing import Any

from shared.mollie_sandbox import intervals, methods
from shared.mollie_sandbox.body import JsonBody

METHOD = re.compile(r"^[a-z][a-z0-9]*$")
LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SEQUENCE_TYPES = ("oneoff", "first", "recurring")
DOCS = "https://docs.mollie.com/reference/v2/"
REFUND_DESCRIPTION_LIMIT = 140


def payment_fields(raw: Any, customer_id: str | None = None) -> dict[str, Any]:
    """The validated fields of a create-payment body; `customer_id` when the path names one."""
    body = JsonBody(raw, DOCS + "payments-api/create-payment")
    method = _method(body)
    amount = body.amount()
    if method is not None:
        methods.refuse_unaccepted(method, amount, body.docs)
    fields: dict[str, Any] = {
        "amount": amount,
        "description": body.text("description", required=True),
        "method": method,
        "sequenceType": _sequence_type(body),
    }
    optional = {
        "redirectUrl": body.url("redirectUrl", required=method != "pointofsale"),
        "webhookUrl": body.url("webhookUrl"),
        "metadata": body.metadata(),
        "locale": body.matching("locale", LOCALE),
        "customerId": customer_id or body.prefixed("customerId", "cst_"),
        "terminalId": body.prefixed("terminalId", "term_"),
    }
    fields.update({name: value for name, value in optional.items() if value is not None})
    if fields["sequenceType"] != "oneoff" and "customerId" not in fields:
        body.refuse("customerId", f"A {fields['sequenceType']} payment needs a customer.")
    if method == "pointofsale" and "terminalId" not in fields:
        body.refuse("terminalId", "A point-of-sale payment needs a terminal.")
    return fields


def customer_fields(raw: Any) -> dict[str, Any]:
    """The validated fields of a create-customer body; every one is optional."""
    body = JsonBody(raw, DOCS + "customers-api/create-customer")
    return {
        "name": body.text("name"),
        "email": body.matching("email", EMAIL),
        "locale": body.matching("locale", LOCALE),
        "metadata": body.metadata(),
    }


def subscription_fields(raw: Any, today: date) -> dict[str, Any]:
    """The validated fields of a create-subscription body; it starts today unless told."""
    body = JsonBody(raw, DOCS + "subscriptions-api/create-subscription")
    return {
        "amount": body.amount(),
        "times": body.positive_integer("times"),
        "interval": _interval(body),
        "startDate": (body.calendar_date("startDate") or today).isoformat(),
        "description": body.text("description", required=True),
        "method": body.matching("method", METHOD),
        "mandateId": body.prefixed("mandateId", "mdt_"),
        "webhookUrl": body.url("webhookUrl"),
        "metadata": body.metadata(),
    }


def refund_fields(raw: Any) -> dict[str, Any]:
    """The validated fields of a create-refund body."""
    body = JsonBody(raw, DOCS + "refunds-api/create-payment-refund")
    return {
        "amount": body.amount(),
        "description": body.text("description", limit=REFUND_DESCRIPTION_LIMIT) or "",
        "metadata": body.metadata(),
    }


def _interval(body: JsonBody) -> str:
    """The interval in Mollie's own wording: "1 month", "14 days", "2 weeks"."""
    try:
        return str(intervals.parse(body.get("interval")))
    except ValueError:
        body.refuse("interval", "The interval is required: '1 month', '14 days', '2 weeks'...")


def _method(body: JsonBody) -> str | None:
    """The method when exactly one is asked for, None when the payer may choose; each one known."""
    method = body.get("method")
    names = [method] if isinstance(method, str) else method
    if names is None:
        return None
    if not isinstance(names, list) or not all(
        isinstance(name, str) and METHOD.match(name) for name in names
    ):
        body.refuse("method", "The payment method is invalid.")
    for name in names:
        methods.refuse_unknown(name, body.docs)
    return names[0] if len(names) == 1 else None


def _sequence_type(body: JsonBody) -> str:
    """The sequence type, oneoff unless told otherwise."""
    sequence_type = body.get("sequenceType")
    if sequence_type is None:
        return "oneoff"
    if not isinstance(sequence_type, str) or sequence_type not in SEQUENCE_TYPES:
        body.refuse("sequenceType", "The sequence type is invalid.")
    return sequence_type
