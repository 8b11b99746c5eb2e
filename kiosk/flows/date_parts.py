"""A date typed on the kiosk's keypad as day, month and year: checked part by part."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

DATE_PARTS = ("day", "month", "year")
# The digits each part takes and its range: a document gives the year in full.
PART_RULES = {
    "day": (re.compile(r"\d{1,2}"), range(1, 32)),
    "month": (re.compile(r"\d{1,2}"), range(1, 13)),
    "year": (re.compile(r"\d{4}"), range(1900, 2100)),
}


class DateInvalid(ValueError):
    """A typed date that cannot be right: why (`reason`) and the parts to correct (`parts`).

    Reasons: missing (a part left empty), day, month, year (a part out of its range),
    impossible (no such date, as 31 February), future (a birth date after today)."""

    def __init__(self, reason: str, parts: Iterable[str] = DATE_PARTS) -> None:
        super().__init__(reason)
        self.reason, self.parts = reason, tuple(parts)


def form_parts(form: Mapping[str, str], name: str) -> dict[str, str]:
    """The three parts of the date field `name` as a form sent them (name_day, ...)."""
    return {part: form.get(f"{name}_{part}", "") for part in DATE_PARTS}


def typed_date(parts: Mapping[str, str]) -> date:
    """The date of the typed day, month and year; DateInvalid says what is wrong."""
    typed = {part: parts.get(part, "").strip() for part in DATE_PARTS}
    empty = [part for part in DATE_PARTS if not typed[part]]
    if empty:
        raise DateInvalid("missing", empty)
    for part, (shape, allowed) in PART_RULES.items():
        if not shape.fullmatch(typed[part]) or int(typed[part]) not in allowed:
            raise DateInvalid(part, [part])
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError as error:
        raise DateInvalid("impossible") from error


def birth_date_typed(parts: Mapping[str, str], today: date) -> date:
    """A typed date of birth: a real date, not after today."""
    born = typed_date(parts)
    if born > today:
        raise DateInvalid("future")
    return born
