"""The MRZ data that open an ID document's chip: scanned lines or three typed fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kiosk.hardware.emrtd.errors import MrzError
from kiosk.hardware.emrtd.mrz import (
    LINE_SHAPES,
    bac_key_from_fields,
    birth_date,
    expiry_date,
    parse_mrz,
)

TYPED_DATE = re.compile(r"^\s*(\d{1,2})\D+(\d{1,2})\D+(\d{4})\s*$|^\s*(\d{2})(\d{2})(\d{4})\s*$")
ANY_DATE = "000101"  # a valid stand-in, so that the number is checked on its own
LINES_OF_LENGTH = {length: count for count, length in LINE_SHAPES.items()}
# A scanner types an MRZ's lines back to back: a longer pause ends the scan, complete or not.
LINE_GAP_SECONDS = 2.0


class TypedFieldsInvalid(Exception):
    """Typed document fields that cannot be right; `fields` names the wrong ones."""

    def __init__(self, fields: set[str]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields


def yymmdd(typed: str) -> str | None:
    """A date typed as on the document (DD-MM-YYYY, DD MM YYYY or DDMMYYYY) as MRZ YYMMDD."""
    match = TYPED_DATE.match(typed)
    if not match:
        return None
    day, month, year = (part for part in match.groups() if part is not None)
    return f"{year[2:]}{int(month):02d}{int(day):02d}"


def typed_fields(document_number: str, birth: str, expiry: str) -> tuple[str, str, str]:
    """The BAC fields from the form; TypedFieldsInvalid names every field that is wrong."""
    dates = {
        "birth_date": (yymmdd(birth), birth_date),
        "expiry_date": (yymmdd(expiry), expiry_date),
    }
    wrong = {name for name, (value, check) in dates.items() if not _valid_date(value, check)}
    try:
        key = bac_key_from_fields(document_number, ANY_DATE, ANY_DATE)
    except MrzError:
        wrong.add("document_number")
    if wrong:
        raise TypedFieldsInvalid(wrong)
    return key.document_number, str(dates["birth_date"][0]), str(dates["expiry_date"][0])


def _valid_date(value: str | None, check: Callable[[str], date]) -> bool:
    """Whether a converted date is a real date of its kind."""
    try:
        return value is not None and bool(check(value))
    except MrzError:
        return False


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
