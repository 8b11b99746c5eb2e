"""A date typed on the kiosk's keypad as day, month and year: checked part by part."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

DATE_PARTS = ("day", "month", "year")


class PartRule(NamedTuple):
    """The digits a part takes and its range, and the reason when either is wrong."""

    shape: re.Pattern[str]
    allowed: range
    wrong_shape: str
    out_of_range: str


# ASCII digits only ([0-9], not \d): int() would read other scripts' digits as well.
PART_RULES = {
    "day": PartRule(re.compile("[0-9]{1,2}"), range(1, 32), "day", "day"),
    "month": PartRule(re.compile("[0-9]{1,2}"), range(1, 13), "month", "month"),
    # A document gives the year in full.
    "year": PartRule(re.compile("[0-9]{4}"), range(1900, 2100), "year", "year_range"),
}


class DateInvalid(ValueError):
    """A typed date that cannot be right: why (`reasons`, in the parts' order, each once) and
    the parts to correct (`parts`).

    Reasons: missing (a part left empty), day, month (a part out of its range), year (not four
    digits), year_range (four digits, not 1900 to 2099), impossible (no such date, as
    31 February), future (a birth date after today)."""

    def __init__(self, reasons: Iterable[str], parts: Iterable[str] = DATE_PARTS) -> None:
        self.reasons, self.parts = tuple(reasons), tuple(parts)
        super().__init__(", ".join(self.reasons))


def form_parts(form: Mapping[str, str], name: str) -> dict[str, str]:
    """The three parts of the date field `name` as a form sent them (name_day, ...)."""
    return {part: form.get(f"{name}_{part}", "") for part in DATE_PARTS}


def _part_problem(part: str, typed: str) -> str | None:
    """Why the typed part cannot be right (a DateInvalid reason), None when it can."""
    rule = PART_RULES[part]
    if not typed:
        return "missing"
    if not rule.shape.fullmatch(typed):
        return rule.wrong_shape
    return None if int(typed) in rule.allowed else rule.out_of_range


def typed_date(parts: Mapping[str, str]) -> date:
    """The date of the typed day, month and year; DateInvalid says what is wrong with every
    part at once."""
    typed = {part: parts.get(part, "").strip() for part in DATE_PARTS}
    problems = {part: why for part in DATE_PARTS if (why := _part_problem(part, typed[part]))}
    if problems:
        raise DateInvalid(dict.fromkeys(problems.values()), problems)
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError as error:
        raise DateInvalid(["impossible"]) from error


def birth_date_typed(parts: Mapping[str, str], today: date) -> date:
    """A typed date of birth: a real date, not after today."""
    born = typed_date(parts)
    if born > today:
        raise DateInvalid(["future"])
    return born
