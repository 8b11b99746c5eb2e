"""The MRZ data a patron types or scans at the kiosk to open their document's chip."""

import pytest

from kiosk.flows.document_access import (
    TypedFieldsInvalid,
    add_scanned_line,
    typed_fields,
    yymmdd,
)
from kiosk.hardware.emrtd.errors import MrzError
from tests.support.virtual_emrtd import TD1, TD3


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12-08-1974", "740812"),
        ("1.2.2030", "300201"),
        ("12 08 1974", "740812"),
        ("12081974", "740812"),
    ],
)
def test_dates_typed_as_on_the_document(typed: str, expected: str) -> None:
    assert yymmdd(typed) == expected


def test_typed_fields_form_the_bac_fields() -> None:
    assert typed_fields(" l898902c3 ", "12-08-1974", "15-04-2012") == (
        "L898902C3",
        "740812",
        "120415",
    )


def test_every_wrong_field_is_named() -> None:
    with pytest.raises(TypedFieldsInvalid) as caught:
        typed_fields("L8989-02", "31-02-1974", "tomorrow")
    assert caught.value.fields == {"document_number", "birth_date", "expiry_date"}


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
