"""A JSON request body read field by field, refusing what Mollie refuses, naming the field."""

import json
import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NoReturn, TypeVar

from shared.mollie_sandbox.errors import ERROR_DOCS, ApiError

AMOUNT_VALUE = re.compile(r"^\d{1,10}\.\d{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
METADATA_LIMIT = 1024
Choice = TypeVar("Choice", bound=StrEnum)


class JsonBody:
    """A create or control body; each refusal is Mollie's 422 naming the field, linking `docs`."""

    def __init__(self, raw: Any, docs: str = ERROR_DOCS) -> None:
        if not isinstance(raw, dict):
            raise ApiError(400, "The request body is not a valid JSON object.", docs=docs)
        self.raw = raw
        self.docs = docs

    def get(self, field: str) -> Any:
        """The field's value as sent, None when absent."""
        return self.raw.get(field)

    def refuse(self, field: str, detail: str) -> NoReturn:
        """Raise Mollie's 422 for one field."""
        raise ApiError(422, detail, field=field, docs=self.docs)

    def amount(self, field: str = "amount") -> dict[str, str]:
        """An amount object, its value a string with two decimals (never a number)."""
        amount = self.raw.get(field)
        if not isinstance(amount, dict):
            detail = f"The {field} is required and must be an object with currency and value."
            self.refuse(field, detail)
        currency, value = amount.get("currency"), amount.get("value")
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            self.refuse(f"{field}.currency", "The currency is invalid.")
        if not isinstance(value, str) or not AMOUNT_VALUE.match(value) or Decimal(value) <= 0:
            self.refuse(f"{field}.value", "The amount contains an invalid value.")
        return {"currency": currency, "value": value}

    def text(self, field: str, *, required: bool = False, limit: int = 255) -> str | None:
        """A string of at most `limit` characters; a required one may not be blank."""
        value = self.raw.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
            needed = "is required and " if required else ""
            self.refuse(field, f"The {field} {needed}may be {limit} characters at most.")
        return value

    def url(self, field: str, *, required: bool = False) -> str | None:
        """An http(s) URL; empty counts as absent. Local addresses are fine in the sandbox."""
        url = self.raw.get(field) or None
        if url is None and required:
            self.refuse(field, f"The {field} is required.")
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("http://", "https://"))
        ):
            self.refuse(field, f"The {field} is not a valid http(s) URL.")
        return url

    def metadata(self) -> Any:
        """Any JSON value up to 1 KB, as Mollie allows."""
        metadata = self.raw.get("metadata")
        if metadata is not None and len(json.dumps(metadata)) > METADATA_LIMIT:
            self.refuse("metadata", "The metadata may be 1024 characters at most.")
        return metadata

    def matching(self, field: str, pattern: re.Pattern[str]) -> str | None:
        """An optional string that must match `pattern`."""
        value = self.raw.get(field)
        if value is not None and (not isinstance(value, str) or not pattern.match(value)):
            self.refuse(field, f"The {field} is invalid.")
        return value

    def prefixed(self, field: str, prefix: str) -> str | None:
        """An optional id that must start with Mollie's prefix for its kind."""
        value = self.raw.get(field)
        if value is not None and (not isinstance(value, str) or not value.startswith(prefix)):
            self.refuse(field, f"The {field} is invalid: it should start with '{prefix}'.")
        return value

    def calendar_date(self, field: str) -> date | None:
        """An optional calendar date written YYYY-MM-DD."""
        value = self.raw.get(field)
        if value is None:
            return None
        if not isinstance(value, str) or not DATE.match(value):
            self.refuse(field, f"The {field} must be a date written YYYY-MM-DD.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.refuse(field, f"The {field} {value} does not exist.")

    def positive_integer(self, field: str) -> int | None:
        """An optional whole number of at least 1."""
        value = self.raw.get(field)
        if value is not None and (type(value) is not int or value < 1):
            self.refuse(field, f"The {field} must be a whole number of at least 1.")
        return value

    def flag(self, field: str, default: bool) -> bool:
        """An optional true or false."""
        value = self.raw.get(field, default)
        if not isinstance(value, bool):
            self.refuse(field, f"The {field} flag must be true or false.")
        return value

    def choice(self, field: str, choices: type[Choice]) -> Choice:
        """The field's value, which must be one of `choices`."""
        try:
            return choices(str(self.raw.get(field)))
        except ValueError:
            self.refuse(field, f"The {field} must be one of: {', '.join(choices)}.")

    def money(self, field: str) -> Decimal | None:
        """An optional amount written as a string with two decimals ("5.00")."""
        value = self.raw.get(field)
        if value is None:
            return None
        if not isinstance(value, str) or not AMOUNT_VALUE.match(value):
            self.refuse(field, f"The {field} must be a string with two decimals, like '5.00'.")
        return Decimal(value)

    def moment(self, field: str) -> datetime | None:
        """An optional ISO-8601 moment with its time zone."""
        value = self.raw.get(field)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.refuse(field, f"The {field} must be an ISO-8601 moment with a time zone.")
        return moment
