"""The MRZ data that open an ID document's chip: scanned lines, or the document number and
two dates typed in parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from kiosk.flows.date_parts import DateInvalid, birth_date_typed, typed_date
from kiosk.hardware.emrtd.errors import MrzError
from kiosk.hardware.emrtd.mrz import LINE_SHAPES, bac_key_from_fields, parse_mrz

ANY_DATE = "000101"  # a valid stand-in, so that the number is checked on its own
LINES_OF_LENGTH = {length: count for count, length in LINE_SHAPES.items()}
# A scanner types an MRZ's lines back to back: a longer pause ends the scan, complete or not.
LINE_GAP_SECONDS = 2.0


class TypedFieldsInvalid(Exception):
    """Typed document fields that cannot be right: whether the number is, and what is wrong
    with each wrong date (by field name)."""

    def __init__(self, number_wrong: bool, dates: dict[str, DateInvalid]) -> None:
        super().__init__(", ".join((["document_number"] if number_wrong else []) + list(dates)))
        self.number_wrong, self.dates = number_wrong, dates


def typed_fields(
    document_number: str, birth: Mapping[str, str], expiry: Mapping[str, str], today: date
) -> tuple[str, str, str]:
    """The BAC fields from the number and the dates typed in parts (day, month, year);
    TypedFieldsInvalid names every field that is wrong."""
    readers: dict[str, Callable[[], date]] = {
        "birth_date": lambda: birth_date_typed(birth, today),
        "expiry_date": lambda: typed_date(expiry),
    }
    dates, wrong = {}, {}
    for name, read in readers.items():
        try:
            dates[name] = read()
        except DateInvalid as invalid:
            wrong[name] = invalid
    try:
        key = bac_key_from_fields(document_number, ANY_DATE, ANY_DATE)
    except MrzError:
        raise TypedFieldsInvalid(True, wrong) from None
    if wrong:
        raise TypedFieldsInvalid(False, wrong)
    return key.document_number, _yymmdd(dates["birth_date"]), _yymmdd(dates["expiry_date"])


def _yymmdd(day: date) -> str:
    """A date as the MRZ writes it."""
    return day.strftime("%y%m%d")


def scanned_mrz(read: Callable[[float], str | None], first_wait: float) -> str | None:
    """The MRZ of one scan read with `read` (a scanner's), None when nothing came in `first_wait`.

    The lines are held only here, so a partial scan is forgotten with this call: MrzError when
    its lines cannot be an MRZ or stop coming before the MRZ is complete."""
    lines: list[str] = []
    line = read(first_wait)
    while line is not None:
        mrz = add_scanned_line(lines, line)
        if mrz is not None:
            return mrz
        line = read(LINE_GAP_SECONDS)
    if lines:
        raise MrzError("incomplete", "the scan stopped before the MRZ was complete")
    return None


def add_scanned_line(lines: list[str], line: str) -> str | None:
    """Collect the scanner's lines; the whole MRZ once all lines of its layout came, else None.

    Raises MrzError when the lines cannot be an MRZ (the caller forgets them and asks again)."""
    if "|" in line:
        lines.clear()
        return _checked(line)
    lines.append(line.strip().upper())
    expected = LINES_OF_LENGTH.get(len(lines[0]))
    if expected is None:
        raise MrzError("bad_length", "not an MRZ line")
    if len(lines) < expected:
        return None
    text = "\n".join(lines)
    lines.clear()
    return _checked(text)


def _checked(text: str) -> str:
    """The MRZ text, once every check digit in it holds."""
    parse_mrz(text)
    return text
