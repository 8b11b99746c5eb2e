"""Text a person typed, whichever entrance it came through (portal, kiosk API, command line):
no control or direction characters, and no longer than the column that keeps it."""

import re
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute

from shared.errors import DomainError

# C0 and C1 controls with DEL (NUL, escape, line breaks: no name or address holds one), the
# bidirectional marks, embeddings, overrides and isolates that show text in another order than
# it is stored (a name that reads differently in a mail, a claim or the desk's screen), and the
# invisible ones that make a field look filled in (soft hyphen, zero-width space, word joiner,
# byte order mark). The zero-width (non-)joiners stay: some scripts need them.
# Written with \u escapes, which Python's and JavaScript's (JSON Schema's) patterns both read.
NOT_TEXT_CHARACTERS = (
    r"\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff"
)
NOT_TEXT = re.compile(f"[{NOT_TEXT_CHARACTERS}]")


def is_plain_text(value: str) -> bool:
    """Whether the text holds no control or direction characters."""
    return NOT_TEXT.search(value) is None


def max_length(column: InstrumentedAttribute[Any]) -> int:
    """The length of a text column: the one place every limit on that text comes from."""
    column_type = column.property.columns[0].type
    assert isinstance(column_type, String) and column_type.length is not None
    return column_type.length


def check_text(field: str, value: str, column: InstrumentedAttribute[Any]) -> None:
    """Refuse text that holds control or direction characters or does not fit its column."""
    if not is_plain_text(value):
        raise DomainError("text_not_allowed", field=field)
    if len(value) > max_length(column):
        raise DomainError("text_too_long", field=field, max=max_length(column))


def require_text(field: str, value: str, column: InstrumentedAttribute[Any]) -> None:
    """As check_text, and refuse text without a letter or digit (empty, white space, marks)."""
    if not any(char.isalnum() for char in value):
        raise DomainError("text_required", field=field)
    check_text(field, value, column)
