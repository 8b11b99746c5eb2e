"""What the collect and lost screens say for each problem and progress step (refusals: the
register's messages, through kiosk.refusals)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from kiosk.flows.date_parts import DateInvalid

ENCODE_STATUS: dict[str, LazyString] = {
    "waiting": _l("Take a blank card from the tray and hold it on the reader."),
    "writing": _l("We are writing your card. Keep the card on the reader."),
    "hold_still": _l("The card moved. Hold the card still: we try again."),
    "in_use": _l("This card is already in use. Take another blank card."),
    "set_aside": _l("This card does not work. Hand it to the desk and take another blank card."),
    "activating": _l("Almost done: we are linking the card to you."),
}
ID_PROBLEMS: dict[str, LazyString] = {
    "access_denied": _l("The details do not open your document. Check them and try again."),
    "document_removed": _l("We could not read your document. Lay it flat on the reader."),
}
DOCUMENT_NUMBER_PROBLEM = _l("Type the document number: letters and digits, as on your document.")
# Why a date typed in parts (kiosk.flows.date_parts) cannot be right.
DATE_PROBLEMS: dict[str, LazyString] = {
    "missing": _l("Type the day, the month and the year."),
    "day": _l("The day is a number from 1 to 31."),
    "month": _l("The month is a number from 1 to 12."),
    "year": _l("Type the year in four digits, for example 1990."),
    "year_range": _l("The year is a number from 1900 to 2099."),
    "impossible": _l("This date does not exist. Check the day and the month."),
    "future": _l("A date of birth cannot be after today. Check the year."),
}


def date_problem(invalid: DateInvalid) -> str:
    """What is wrong with a typed date: the words for each of its reasons, in one error."""
    return " ".join(str(DATE_PROBLEMS[reason]) for reason in invalid.reasons)
