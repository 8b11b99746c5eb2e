"""Text people type: control and direction characters refused, lengths from the columns."""

import pytest

from shared.errors import DomainError
from shared.models.patron import Patron
from shared.text import check_text, is_plain_text, max_length, require_text

NOT_TEXT = [
    *(chr(c) for c in range(0x00, 0x20)),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u00ad",  # soft hyphen
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
]


@pytest.mark.parametrize("character", NOT_TEXT, ids=lambda c: f"U+{ord(c):04X}")
def test_control_and_direction_characters_are_not_text(character: str) -> None:
    assert not is_plain_text(f"de{character}Vries")


def test_names_in_any_script_are_text() -> None:
    names = ("van 't Hof", "Ørsted-Ünal", "Žižek", "محمد", "李", "O'Brien", "Zoë\u00a0Smit")
    for name in (*names, "\u0915\u094d\u200d\u0937"):  # a joiner some scripts need
        assert is_plain_text(name)


def test_a_columns_length_is_the_limit() -> None:
    assert max_length(Patron.surname) == 80 and max_length(Patron.street) == 120


def test_text_is_refused_with_the_field_named() -> None:
    with pytest.raises(DomainError) as refused:
        check_text("surname", "Dijk\u202e", Patron.surname)
    assert (refused.value.code, refused.value.params) == ("text_not_allowed", {"field": "surname"})
    with pytest.raises(DomainError) as long:
        check_text("surname", "x" * 81, Patron.surname)
    assert (long.value.code, long.value.params) == (
        "text_too_long",
        {"field": "surname", "max": 80},
    )
    check_text("surname", "x" * 80, Patron.surname)


def test_required_text_has_a_letter_or_digit() -> None:
    for blank in ("", "   ", "\u00a0 ", "\u200d", "-", "'."):
        with pytest.raises(DomainError) as refused:
            require_text("city", blank, Patron.city)
        assert refused.value.code == "text_required"
    for filled in ("Ruinerwold", "66", "李"):
        require_text("city", filled, Patron.city)
