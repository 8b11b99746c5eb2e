"""The kiosk API: checking the patron's ID document against the record, storing only the outcome."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.id_check import IdCheck
from shared.models.patron import Patron
from tests.support.accounts import give_card, member
from tests.support.kiosk_api import PASSPORT, KioskApi

BIRTH_DATE = "1985-04-15"


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """Marieke de Vries (the signup's patron, renamed), born 15 April 1985."""
    patron = member(client)
    patron.prefix, patron.surname = "de", "Vries"
    db.session.commit()
    return patron


def check(kiosk: KioskApi, ticket: str, **reading: object) -> dict[str, object]:
    """Post a reading of a passport; the answer."""
    response = kiosk.call("POST", "/id-checks", ticket, {**PASSPORT, **reading})
    assert response.status_code == 201, response.json
    return response.json


def stored() -> IdCheck:
    """The only stored check."""
    return db.session.scalars(select(IdCheck)).one()


@pytest.mark.parametrize("surname", ["DE VRIES", "VRIES"])
def test_matching_name_and_birth_date_verify(kiosk: KioskApi, patron: Patron, surname: str) -> None:
    answer = check(kiosk, kiosk.ticket(patron), surname=surname, birth_date=BIRTH_DATE)
    assert answer == {"verified": True}
    row = stored()
    assert (row.patron_id, row.kiosk_device_id, row.outcome) == (patron.id, 1, "verified")
    assert (row.document_type, row.reason) == ("P", None)


@pytest.mark.parametrize("read", ["MUELLER", "MULLER"])
def test_diacritics_as_icao_transliterates_them(kiosk: KioskApi, patron: Patron, read: str) -> None:
    patron.prefix, patron.surname = "", "Müller"
    db.session.commit()
    ticket = kiosk.ticket(patron, "qr")
    assert check(kiosk, ticket, surname=read, birth_date=BIRTH_DATE) == {"verified": True}


@pytest.mark.parametrize(
    ("surname", "birth_date"), [("DE VRIE", BIRTH_DATE), ("DE VRIES", "1985-04-16")]
)
def test_other_name_or_birth_date_is_a_mismatch(
    kiosk: KioskApi, patron: Patron, surname: str, birth_date: str
) -> None:
    answer = check(kiosk, kiosk.ticket(patron), surname=surname, birth_date=birth_date)
    assert answer == {"verified": False, "reason": "mismatch"}
    assert stored().outcome == "mismatch"


def test_a_chip_failing_its_security_object_is_an_integrity_failure(
    kiosk: KioskApi, patron: Patron
) -> None:
    answer = check(
        kiosk, kiosk.ticket(patron), surname="DE VRIES", birth_date=BIRTH_DATE, sod_hash_ok=False
    )
    assert answer == {"verified": False, "reason": "integrity"}


def test_unreadable_document_is_recorded_with_its_reason_only(
    kiosk: KioskApi, patron: Patron
) -> None:
    body = {"outcome": "unreadable", "reason": "access_denied"}
    response = kiosk.call("POST", "/id-checks", kiosk.ticket(patron), body)
    assert response.status_code == 201
    assert response.json == {"verified": False, "reason": "unreadable"}
    row = db.session.execute(select(IdCheck.__table__)).one()._asdict()
    assert set(row) == {
        "id",
        "patron_id",
        "kiosk_device_id",
        "checked_at",
        "outcome",
        "document_type",
        "reason",
    }
    assert (row["outcome"], row["document_type"], row["reason"]) == (
        "unreadable",
        None,
        "access_denied",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "unreadable", "reason": "bored"},
        {"outcome": "read", "document_type": "P", "surname": "X", "birth_date": "15-04-1985"},
        {**PASSPORT, "document_type": "passport", "surname": "X", "birth_date": BIRTH_DATE},
        {**PASSPORT, "sod_hash_ok": "yes", "surname": "X", "birth_date": BIRTH_DATE},
        {"outcome": "photo"},
    ],
)
def test_malformed_checks_are_refused_and_not_stored(
    kiosk: KioskApi, patron: Patron, body: dict[str, object]
) -> None:
    response = kiosk.call("POST", "/id-checks", kiosk.ticket(patron), body)
    assert response.status_code == 400
    assert db.session.scalars(select(IdCheck)).first() is None


def test_a_tapped_card_is_not_proof_enough(kiosk: KioskApi, patron: Patron) -> None:
    give_card(patron, "2527000000017")
    ticket = kiosk.identify(method="card", card_number="2527000000017").json["ticket"]
    body = {**PASSPORT, "surname": "DE VRIES", "birth_date": BIRTH_DATE}
    response = kiosk.call("POST", "/id-checks", ticket, body)
    assert response.status_code == 403 and response.json == {
        "error": "proof_required",
        "proof": "card",
    }
