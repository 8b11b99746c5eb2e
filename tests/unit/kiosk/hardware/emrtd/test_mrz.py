"""MRZ parsing of passports (TD3) and ID cards (TD1), check digits, dates and typed fields."""

from datetime import date

import pytest

from kiosk.hardware.emrtd.errors import MrzError
from kiosk.hardware.emrtd.mrz import (
    bac_key_from_fields,
    birth_date,
    check_digit,
    expiry_date,
    parse_mrz,
)

TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD1_LONG = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]


def replace(lines: list[str], row: int, col: int, char: str) -> str:
    """The MRZ with one character changed, joined by '|'."""
    changed = list(lines)
    changed[row] = changed[row][:col] + char + changed[row][col + 1 :]
    return "|".join(changed)


def test_check_digit_731() -> None:
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("<<<<<<<<<") == "0"


def test_td3_passport() -> None:
    mrz = parse_mrz("\n".join(TD3))
    assert (mrz.document_type, mrz.issuing_state, mrz.nationality) == ("P", "UTO", "UTO")
    assert (mrz.surname, mrz.given_names, mrz.sex) == ("ERIKSSON", "ANNA MARIA", "F")
    assert (mrz.birth_date, mrz.expiry_date) == (date(1974, 8, 12), date(2012, 4, 15))
    assert mrz.bac_key.mrz_information() == "L898902C3674081221204159"


def test_td1_id_card() -> None:
    mrz = parse_mrz("|".join(TD1))
    assert (mrz.document_type, mrz.surname, mrz.given_names) == ("I", "ERIKSSON", "ANNA MARIA")
    assert mrz.document_number == "D23145890"
    assert mrz.bac_key.mrz_information() == "D23145890774081221204159"


def test_td1_long_document_number_uses_optional_data() -> None:
    mrz = parse_mrz("|".join(TD1_LONG))
    assert mrz.document_number == "D23145890734"
    assert mrz.bac_key.mrz_information() == "D23145890734934071279507122"


@pytest.mark.parametrize(
    ("lines", "row", "col", "code"),
    [
        (TD3, 1, 9, "check_digit_document_number"),
        (TD3, 1, 19, "check_digit_birth_date"),
        (TD3, 1, 27, "check_digit_expiry_date"),
        (TD3, 1, 42, "check_digit_optional_data"),
        (TD3, 1, 43, "check_digit_composite"),
        (TD1, 0, 14, "check_digit_document_number"),
        (TD1, 1, 6, "check_digit_birth_date"),
        (TD1, 1, 14, "check_digit_expiry_date"),
        (TD1, 1, 29, "check_digit_composite"),
    ],
)
def test_each_bad_check_digit_is_named(lines: list[str], row: int, col: int, code: str) -> None:
    wrong = "9" if lines[row][col] != "9" else "8"
    with pytest.raises(MrzError) as caught:
        parse_mrz(replace(lines, row, col, wrong))
    assert caught.value.code == code


def test_bad_length_and_characters() -> None:
    with pytest.raises(MrzError) as caught:
        parse_mrz(TD3[0] + "|" + TD3[1][:-1])
    assert caught.value.code == "bad_length"
    with pytest.raises(MrzError) as caught:
        parse_mrz(replace(TD3, 0, 5, "-"))
    assert caught.value.code == "bad_characters"


def test_document_number_never_in_errors_or_repr() -> None:
    mrz = parse_mrz("|".join(TD3))
    assert "L898902C" not in repr(mrz) and "L898902C" not in repr(mrz.bac_key)
    with pytest.raises(MrzError) as caught:
        parse_mrz(replace(TD3, 1, 9, "9"))
    assert "L898902C" not in str(caught.value)


def test_typed_fields_are_validated() -> None:
    assert bac_key_from_fields(" l898902c ", "690806", "940623").document_number == "L898902C"
    for fields, code in [
        (("L8989-02C", "690806", "940623"), "bad_document_number"),
        (("L898902C", "691306", "940623"), "bad_date_birth_date"),
        (("L898902C", "690806", "9406"), "bad_date_expiry_date"),
    ]:
        with pytest.raises(MrzError) as caught:
            bac_key_from_fields(*fields)
        assert caught.value.code == code


def test_century_choice() -> None:
    today = date(2026, 11, 25)
    assert birth_date("261231", today) == date(1926, 12, 31)
    assert birth_date("100101", today) == date(2010, 1, 1)
    assert expiry_date("310101", today) == date(2031, 1, 1)
    assert expiry_date("990101", today) == date(1999, 1, 1)


def test_impossible_leap_day() -> None:
    with pytest.raises(MrzError):
        birth_date("010229", date(2026, 1, 1))
