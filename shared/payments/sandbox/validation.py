"""Validation of create-payment bodies, refusing what Mollie refuses with the same field names."""

import json
import re
from decimal import Decimal
from typing import Any, NoReturn

from shared.payments.sandbox.errors import ApiError

AMOUNT_VALUE = re.compile(r"^\d{1,10}\.\d{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
METHOD = re.compile(r"^[a-z][a-z0-9]*$")
LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
SEQUENCE_TYPES = ("oneoff", "first", "recurring")
METADATA_LIMIT = 1024
CREATE_DOCS = "https://docs.mollie.com/reference/v2/payments-api/create-payment"


def payment_fields(body: Any) -> dict[str, Any]:
    """The validated fields of a create-payment body, in Mollie's names."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body is not a valid JSON object.", docs=CREATE_DOCS)
    method = _method(body.get("method"))
    fields: dict[str, Any] = {
        "amount": _amount(body.get("amount")),
        "description": _description(body.get("description")),
        "method": method,
        "sequenceType": _sequence_type(body.get("sequenceType")),
    }
    redirect_url = _url(body, "redirectUrl", required=method != "pointofsale")
    webhook_url = _url(body, "webhookUrl", required=False)
    optional = {
        "redirectUrl": redirect_url,
        "webhookUrl": webhook_url,
        "metadata": _metadata(body.get("metadata")),
        "locale": _matching(body, "locale", LOCALE),
        "customerId": _prefixed(body, "customerId", "cst_"),
        "terminalId": _prefixed(body, "terminalId", "term_"),
    }
    fields.update({name: value for name, value in optional.items() if value is not None})
    if fields["sequenceType"] == "recurring" and "customerId" not in fields:
        _refuse("customerId", "A recurring payment needs a customer.")
    return fields


def _refuse(field: str, detail: str) -> NoReturn:
    """Raise Mollie's 422 for one field."""
    raise ApiError(422, detail, field=field, docs=CREATE_DOCS)


def _amount(amount: Any) -> dict[str, str]:
    """The amount object, its value a string with two decimals (never a number)."""
    if not isinstance(amount, dict):
        _refuse("amount", "The amount is required and must be an object with currency and value.")
    currency, value = amount.get("currency"), amount.get("value")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        _refuse("amount.currency", "The currency is invalid.")
    if not isinstance(value, str) or not AMOUNT_VALUE.match(value) or Decimal(value) <= 0:
        _refuse("amount.value", "The amount contains an invalid value.")
    return {"currency": currency, "value": value}


def _description(description: Any) -> str:
    """A non-empty description of at most 255 characters."""
    if not isinstance(description, str) or not description.strip() or len(description) > 255:
        _refuse("description", "The description is required and may be 255 characters at most.")
    return description


def _method(method: Any) -> str | None:
    """The method when exactly one is asked for, None when the payer may choose."""
    methods = [method] if isinstance(method, str) else method
    if methods is None:
        return None
    if not isinstance(methods, list) or not all(
        isinstance(name, str) and METHOD.match(name) for name in methods
    ):
        _refuse("method", "The payment method is invalid.")
    return methods[0] if len(methods) == 1 else None


def _sequence_type(sequence_type: Any) -> str:
    """The sequence type, oneoff unless told otherwise."""
    if sequence_type is None:
        return "oneoff"
    if sequence_type not in SEQUENCE_TYPES:
        _refuse("sequenceType", "The sequence type is invalid.")
    return sequence_type


def _url(body: dict, field: str, *, required: bool) -> str | None:
    """An http(s) URL; empty counts as absent. Local addresses are fine in the sandbox."""
    url = body.get(field) or None
    if url is None and required:
        _refuse(field, f"The {field} is required.")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://"))
    ):
        _refuse(field, f"The {field} is not a valid http(s) URL.")
    return url


def _metadata(metadata: Any) -> Any:
    """Any JSON value up to 1 KB, as Mollie allows."""
    if metadata is not None and len(json.dumps(metadata)) > METADATA_LIMIT:
        _refuse("metadata", "The metadata may be 1024 characters at most.")
    return metadata


def _matching(body: dict, field: str, pattern: re.Pattern[str]) -> str | None:
    """An optional string that must match `pattern`."""
    value = body.get(field)
    if value is not None and (not isinstance(value, str) or not pattern.match(value)):
        _refuse(field, f"The {field} is invalid.")
    return value


def _prefixed(body: dict, field: str, prefix: str) -> str | None:
    """An optional id that must start with Mollie's prefix for its kind."""
    value = body.get(field)
    if value is not None and (not isinstance(value, str) or not value.startswith(prefix)):
        _refuse(field, f"The {field} is invalid: it should start with '{prefix}'.")
    return value
