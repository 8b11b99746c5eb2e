"""The MRZ data a patron types or scans at the kiosk to open their document's chip."""

from datetime import date

import pytest

from kiosk.flows.document_access import TypedFieldsInvalid, add_scanned_line, typed_fields
from kiosk.hardware.emrtd.errors import MrzError
from tests.support.virtual_emrtd import TD1, TD3

TODAY = date(2026, 12, 5)


def parts(day: str, month: str, year: str) -> dict[str, str]:
    """A date as typed in its three parts."""
    return {"day": day, "month": month, "year": year}


def test_typed_fields_form_the_bac_fields() -> None:
    birth, expiry = parts("12", "8", "1974"), parts("15", "04", "2012")
    assert typed_fields(" l898902c3 ", birth, expiry, TODAY) == ("L898902C3", "740812", "120415")


def test_every_wrong_field_is_named_with_what_is_wrong() -> None:
    with pytest.raises(TypedFieldsInvalid) as caught:
        typed_fields("L8989-02", parts("31", "2", "1974"), parts("", "", "2030"), TODAY)
    invalid = caught.value
    assert invalid.number_wrong
    assert [(name, p.reasons, p.parts) for name, p in invalid.dates.items()] == [
        ("birth_date", ("impossible",), ("day", "month", "year")),
        ("expiry_date", ("missing",), ("day", "month")),
    ]
    assert str(invalid) == "document_number, birth_date, expiry_date"


def test_a_birth_date_after_today_is_refused_an_expiry_date_is_not() -> None:
    tomorrow = parts("6", "12", "2026")
    with pytest.raises(TypedFieldsInvalid) as caught:
        typed_fields("L898902C3", tomorrow, tomorrow, TODAY)
    assert {name: p.reasons for name, p in caught.value.dates.items()} == {
        "birth_date": ("future",)
    }
    assert not caught.value.number_wrong


@pytest.mark.parametrize("mrz", [TD3, TD1])
def test_scanned_lines_make_the_mrz_once_all_came(mrz: str) -> None:
    lines: list[str] = []
    *first, last = mrz.split("|")
    assert [add_scanned_line(lines, line) for line in first] == [None] * len(first)
    assert add_scanned_line(lines, last) == mrz.replace("|", "\n")
    assert lines == []


def test_a_whole_mrz_in_one_scan() -> None:
    assert add_scanned_line([], TD3) == TD3


def test_a_bad_scan_is_refused() -> None:
    with pytest.raises(MrzError):
        add_scanned_line([], "NOT AN MRZ")
    lines: list[str] = []
    add_scanned_line(lines, TD3.split("|")[0])
    with pytest.raises(MrzError):
        add_scanned_line(lines, TD3.split("|")[1].replace("6", "7", 1))
