"""Fuzzing forms: Hypothesis strategies for what may be typed (or sent) in a field, and a check
that nothing stored in the database holds text no person types or more than its column keeps."""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import JSON, String, select
from sqlalchemy.engine import Connection

from portal.extensions import db
from shared.text import is_plain_text

Value = str | bytes | None  # None: the field is not sent at all
# C0 and C1 controls (NUL, tab, line breaks, escape, DEL, NEL) and the direction marks,
# embeddings, overrides and isolates.
INVISIBLE = (
    "\x00\x01\t\n\r\x1b\x7f\x80\x85\x9f"
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
BLANK = ["", " ", "   ", "\u00a0", " \u2003 \u3000 "]
HUGE = ["x" * 100_000, "ä" * 100_000, "1" * 100_000, "a@" + "b" * 100_000 + ".nl"]


def insert(text: str, at: int, character: str) -> str:
    """The text with one character put in at a place."""
    return text[:at] + character + text[at:]


def spoiled(valid: Value) -> st.SearchStrategy[Value]:
    """What a field may hold instead of a valid value: nothing, white space, any unicode,
    control characters, the valid value with an invisible character in it or white space
    around it, huge text, or bytes that need not be UTF-8."""
    text = valid.decode(errors="replace") if isinstance(valid, bytes) else valid or ""
    return st.one_of(
        st.sampled_from([None, *BLANK, *HUGE]),
        st.text(max_size=40),
        st.text(st.characters(max_codepoint=0x9F), max_size=12),
        st.builds(insert, st.just(text), st.integers(0, len(text)), st.sampled_from(INVISIBLE)),
        st.sampled_from([f"  {text}  ", f"\u00a0{text}", text.upper(), text * 40]),
        st.binary(max_size=16),
    )


@st.composite
def filled_in(draw: st.DrawFn, fields: Mapping[str, Sequence[Value]]) -> dict[str, Value]:
    """A form filled in with valid values, then up to three of its fields spoiled (so the
    checks after the first one see spoiled values too)."""
    values = {name: draw(st.sampled_from(valid)) for name, valid in fields.items()}
    how_many = draw(st.sampled_from([0, 1, 1, 2, 2, 3]))  # a third with at most one spoiled
    for name in draw(st.permutations(sorted(fields)))[:how_many]:
        values[name] = draw(spoiled(values[name]))
    return values


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def stored_text_problems(connection: Connection) -> list[str]:
    """Every stored text (also inside JSON) with control or direction characters, and every
    text longer than its column."""
    problems = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
        for row in connection.execute(select(*columns)) if columns else []:
            for column, value in zip(columns, row, strict=True):
                length = getattr(column.type, "length", None)
                if isinstance(value, str) and length is not None and len(value) > length:
                    problems.append(f"{column}: {len(value)} characters, more than {length}")
                if not all(is_plain_text(text) for text in _strings(value)):
                    problems.append(f"{column}: {str(value)[:80]!r}")
    return problems
