"""A date typed on the kiosk's keypad as day, month and year."""

from datetime import date

import pytest

from kiosk.flows.date_parts import DATE_PARTS, DateInvalid, birth_date_typed, form_parts, typed_date


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("31", "12", "1990", date(1990, 12, 31)),
        ("1", "2", "2030", date(2030, 2, 1)),
        (" 09 ", "04", "1985", date(1985, 4, 9)),
        ("29", "2", "2024", date(2024, 2, 29)),
    ],
)
def test_a_date_from_its_parts(day: str, month: str, year: str, expected: date) -> None:
    assert typed_date({"day": day, "month": month, "year": year}) == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "reasons", "parts"),
    [
        ("", "4", "", ("missing",), ("day", "year")),
        ("32", "1", "1990", ("day",), ("day",)),
        ("0", "1", "1990", ("day",), ("day",)),
        ("1a", "1", "1990", ("day",), ("day",)),
        ("1", "13", "1990", ("month",), ("month",)),
        ("1", "1", "90", ("year",), ("year",)),
        ("1", "1", "1850", ("year_range",), ("year",)),
        ("1", "1", "2100", ("year_range",), ("year",)),
        ("32", "13", "90", ("day", "month", "year"), ("day", "month", "year")),
        ("", "13", "1850", ("missing", "month", "year_range"), ("day", "month", "year")),
        ("31", "4", "1990", ("impossible",), ("day", "month", "year")),
        ("29", "2", "2023", ("impossible",), ("day", "month", "year")),
    ],
)
def test_what_is_wrong_and_where(
    day: str, month: str, year: str, reasons: tuple[str, ...], parts: tuple[str, ...]
) -> None:
    with pytest.raises(DateInvalid) as caught:
        typed_date({"day": day, "month": month, "year": year})
    assert (caught.value.reasons, caught.value.parts) == (reasons, parts)


# An Arabic-Indic 3, a fullwidth 1, an Arabic-Indic 1990: digits to int(), not to a document.
@pytest.mark.parametrize(
    ("day", "month", "year", "wrong"),
    [
        ("\u0663", "1", "1990", "day"),
        ("1", "\uff11", "1990", "month"),
        ("1", "1", "\u0661\u0669\u0669\u0660", "year"),
    ],
)
def test_only_ascii_digits_count(day: str, month: str, year: str, wrong: str) -> None:
    with pytest.raises(DateInvalid) as caught:
        typed_date({"day": day, "month": month, "year": year})
    assert (caught.value.reasons, caught.value.parts) == ((wrong,), (wrong,))


def test_a_birth_date_is_today_at_the_latest() -> None:
    today = date(2026, 12, 5)
    assert birth_date_typed({"day": "5", "month": "12", "year": "2026"}, today) == today
    with pytest.raises(DateInvalid) as caught:
        birth_date_typed({"day": "6", "month": "12", "year": "2026"}, today)
    assert (caught.value.reasons, caught.value.parts) == (("future",), DATE_PARTS)


def test_the_parts_of_a_date_field_in_a_form() -> None:
    form = {"born_day": "5", "born_month": "12", "born_year": "2026", "other_day": "1"}
    assert form_parts(form, "born") == {"day": "5", "month": "12", "year": "2026"}
    assert form_parts({}, "born") == {"day": "", "month": "", "year": ""}
