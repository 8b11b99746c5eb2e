"""Registering a patron at the desk (/balie/klanten/nieuw): every person type of seed 002, youth
by age, subscriptions only the desk gives, Digital only, the ID mark, a mailed login, a scanned
card, the ledger and audit log, and likely duplicates shown before a patron is made."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.cards.numbers import luhn_check_digit
from shared.clock import ManualClock
from shared.desk.duplicates import likely_duplicates
from shared.models.account import LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardStatus
from shared.models.id_check import DeskIdCheck
from shared.models.ledger import LedgerEntry
from shared.models.patron import Gender, Patron
from shared.signup.registration import PersonalDetails
from shared.timeutil import local_today
from tests.support.accounts import PASSWORD, log_in, mailed_path, member
from tests.support.dates import years_before
from tests.support.factories import create_card, create_patron
from tests.support.query_plans import captured, scans
from tests.support.signup import csrf_token, details_data
from tests.support.staff import desk_session

PAGE = "/balie/klanten/nieuw"


@pytest.fixture
def desk(app: Flask, client: FlaskClient) -> FlaskClient:
    """A desk member's browser, logged in."""
    return desk_session(app, client)


def register(desk: FlaskClient, **changes: Any) -> TestResponse:
    """Fill in the form for an adult on Basis (as the desk would) and send it."""
    data = {**details_data(), "subscription": "0045", "login": "", **changes}
    return desk.post(PAGE, data={"csrf_token": csrf_token(desk.get(PAGE)), **data})


def registered(response: TestResponse) -> Patron:
    """The patron a successful registration made: the answer opens their screen."""
    assert response.status_code == 303, response.get_data(as_text=True)
    number = response.location.rsplit("/", 1)[1]
    db.session.expire_all()
    card = db.session.scalar(select(Card).where(Card.number == number))
    query = select(Patron).where(
        (Patron.temporary_number == number) | (Patron.system_number == number)
    )
    return db.session.get_one(Patron, card.patron_id) if card else db.session.scalars(query).one()


# A second patron in a test: nobody's likely duplicate.
SOMEONE_ELSE = {
    "initials": "K.",
    "surname": "Zandstra",
    "birth_date": "1971-09-30",
    "postcode": "9468 BG",
    "house_number": "3",
}


def today(clock: ManualClock) -> date:
    """The library's date."""
    return local_today(clock.now())


def error_at(response: TestResponse, field: str) -> str:
    """The page came back with an error tied to the field; its HTML."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html, html
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', html)
    return html


def patron_count() -> int:
    """How many patrons there are."""
    return db.session.scalar(select(func.count(Patron.id))) or 0


@pytest.mark.parametrize("gender", ["man", "vrouw", "neutraal", "onbekend"])
def test_a_person_of_each_type_is_registered(
    desk: FlaskClient, clock: ManualClock, gender: str
) -> None:
    patron = registered(register(desk, gender=gender, surname=f"Dijk-{gender}"))
    assert patron.gender == gender and patron.surname == f"Dijk-{gender}"
    assert patron.birth_date == date(1985, 4, 15) and patron.home_branch.code == "5270"
    assert patron.temporary_number and patron.lending_blocked
    (subscription,) = patron.subscriptions
    assert subscription.type_code == "0045" and subscription.paid_by == "once"
    assert subscription.start_date == today(clock)


def test_an_institution_needs_no_first_name_or_initials_and_is_born_on_1_january_1980(
    desk: FlaskClient,
) -> None:
    response = register(
        desk,
        gender="instelling",
        initials="",
        prefix="",
        first_name="",
        surname="Obs De Regenboog",
        birth_date="",
    )
    patron = registered(response)
    assert patron.gender == Gender.INSTELLING and patron.first_name == "" and patron.initials == ""
    assert patron.birth_date == date(1980, 1, 1)


def test_a_person_needs_initials_and_a_birth_date(desk: FlaskClient) -> None:
    response = register(desk, initials="", birth_date="")
    error_at(response, "initials")
    error_at(response, "birth_date")


def test_youth_get_the_free_youth_subscription_by_age_and_need_a_first_name(
    desk: FlaskClient, clock: ManualClock
) -> None:
    born = years_before(today(clock), 10).isoformat()
    refused = register(desk, birth_date=born, first_name="", subscription="")
    assert "onder de 19" in error_at(refused, "first_name")
    patron = registered(register(desk, birth_date=born, first_name="Sanne", subscription=""))
    (subscription,) = patron.subscriptions
    assert subscription.type_code == "jeugd" and subscription.price == 0
    # Valid through the day before the 19th birthday.
    assert subscription.end_date == years_before(today(clock), -9) - timedelta(days=1)


def test_youth_cannot_be_given_an_adult_subscription(desk: FlaskClient, clock: ManualClock) -> None:
    born = years_before(today(clock), 12).isoformat()
    count = patron_count()
    error_at(register(desk, birth_date=born, subscription="0053"), "subscription")
    assert patron_count() == count


def test_an_adult_is_given_a_subscription_not_offered_online(
    desk: FlaskClient, clock: ManualClock
) -> None:
    page = desk.get(PAGE).get_data(as_text=True)
    assert 'value="0021"' in page and 'value="jeugd"' not in page
    born = years_before(today(clock), 25).isoformat()
    patron = registered(register(desk, birth_date=born, subscription="0021"))
    assert patron.subscriptions[0].type_code == "0021"


def test_an_adult_must_choose_a_subscription_that_fits_the_age(
    desk: FlaskClient, clock: ManualClock
) -> None:
    error_at(register(desk, subscription=""), "subscription")
    error_at(register(desk, subscription="0021"), "subscription")  # Start is for 19-30


def test_digital_only_gets_a_system_number_and_no_card(desk: FlaskClient) -> None:
    patron = registered(register(desk, subscription="0141"))
    assert patron.system_number and patron.system_number.startswith("DO")
    assert patron.temporary_number is None
    refused = register(desk, subscription="0141", card_number=blank_card(), **SOMEONE_ELSE)
    error_at(refused, "card_number")


def test_what_is_owed_is_charged_on_the_ledger(desk: FlaskClient) -> None:
    patron = registered(register(desk, subscription="0053"))
    subscription = patron.subscriptions[0]
    (entry,) = db.session.scalars(select(LedgerEntry).where(LedgerEntry.patron_id == patron.id))
    assert entry.amount == Decimal("67.00") and entry.subscription_id == subscription.id
    assert entry.dedupe_key == f"charge:subscription:{subscription.id}"


def test_a_free_subscription_charges_nothing(desk: FlaskClient, clock: ManualClock) -> None:
    born = years_before(today(clock), 8).isoformat()
    patron = registered(register(desk, birth_date=born, subscription=""))
    assert (
        db.session.scalars(select(LedgerEntry).where(LedgerEntry.patron_id == patron.id)).all()
        == []
    )


def test_the_id_check_is_marked_with_who_and_when(desk: FlaskClient, clock: ManualClock) -> None:
    response = register(desk, id_checked="y")
    patron = registered(response)
    (check,) = db.session.scalars(select(DeskIdCheck).where(DeskIdCheck.patron_id == patron.id))
    assert check.staff_username == "balie" and check.checked_at == clock.now()
    screen = desk.get(response.location).get_data(as_text=True)
    assert 'data-label="Medewerker">balie<' in screen  # the patron screen shows who checked
    unchecked = registered(register(desk, **SOMEONE_ELSE))
    assert (
        db.session.scalars(select(DeskIdCheck).where(DeskIdCheck.patron_id == unchecked.id)).all()
        == []
    )


def test_the_registration_is_in_the_audit_log_without_the_iban(desk: FlaskClient) -> None:
    response = register(desk, iban="NL91ABNA0417164300", id_checked="y")
    patron = registered(response)
    screen = desk.get(response.location).get_data(as_text=True)
    assert "Klant ingeschreven" in screen and "Achternaam: – → Dijk" in screen
    registration = select(AuditEntry).where(
        AuditEntry.patron_id == patron.id, AuditEntry.action == "patron.registered"
    )
    (entry,) = db.session.scalars(registration)
    assert entry.action == "patron.registered" and entry.staff_username == "balie"
    assert entry.after["surname"] == "Dijk" and entry.after["birth_date"] == "1985-04-15"
    assert entry.after["subscription"] == "0045" and entry.after["id_checked"] is True
    assert "iban" not in entry.after and "NL91ABNA0417164300" not in str(entry.after)


def test_a_login_is_mailed_and_its_link_sets_the_password(
    app: Flask, desk: FlaskClient, new_browser: Any
) -> None:
    patron = registered(register(desk, login="y", library_email="sanne@example.nl"))
    account = db.session.get_one(LoginAccount, patron.login_account_id)
    assert account.username == patron.temporary_number and account.email == "sanne@example.nl"
    assert account.confirmed_at is None
    home = new_browser()
    path = mailed_path("desk_login", "/wachtwoord-herstellen/")
    new_password = "kastanje-fietsbel-morgen-17"
    form = home.get(path)
    answer = home.post(
        path,
        data={
            "csrf_token": csrf_token(form),
            "password": new_password,
            "password_confirm": new_password,
        },
    )
    assert answer.status_code == 303
    assert log_in(home, "sanne@example.nl", new_password).status_code == 303
    db.session.expire_all()
    assert db.session.get_one(LoginAccount, account.id).confirmed_at is not None


def test_a_login_needs_an_e_mail_address(desk: FlaskClient) -> None:
    count = patron_count()
    error_at(register(desk, login="y", library_email=""), "library_email")
    assert patron_count() == count


def test_a_login_without_e_mail_is_refused_by_the_form_before_anything_is_made(
    desk: FlaskClient,
) -> None:
    with captured(("INSERT",)) as statements:
        refused = register(desk, login="y", library_email=" ")
    assert "e-mailadres" in error_at(refused, "library_email")
    assert statements == []  # no patron made and rolled back
    # Shown beside the form's other errors, not only once they are mended.
    both = register(desk, login="y", library_email="", initials="")
    error_at(both, "initials")
    error_at(both, "library_email")


def blank_card(branch: str = "5270", serial: str = "0012345") -> str:
    """The number printed on a blank card: 2, branch, serial, Luhn check digit."""
    body = f"2{branch}{serial}"
    return body + luhn_check_digit(body)


def test_a_scanned_card_is_issued_and_lending_unblocked(desk: FlaskClient) -> None:
    number = blank_card()
    response = register(desk, card_number=number, login="y", library_email="kees@example.nl")
    assert response.location.endswith(f"/balie/klanten/{number}")
    patron = registered(response)
    card = db.session.scalars(select(Card).where(Card.patron_id == patron.id)).one()
    assert card.number == number and card.status == CardStatus.ACTIVE
    assert not patron.lending_blocked
    assert db.session.get_one(LoginAccount, patron.login_account_id).username == number


def test_a_card_number_with_a_wrong_check_digit_is_refused(desk: FlaskClient) -> None:
    number = blank_card()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    count = patron_count()
    for bad in (wrong, "12345", "2X00000001"):
        error_at(register(desk, card_number=bad), "card_number")
    assert patron_count() == count


def test_a_card_number_given_out_already_is_refused(desk: FlaskClient, clock: ManualClock) -> None:
    other = create_patron(db.session, None, clock.now(), subscription="0045")
    taken = create_card(db.session, other, clock.now()).number
    db.session.commit()
    count = patron_count()
    error_at(register(desk, card_number=taken, **SOMEONE_ELSE), "card_number")
    assert patron_count() == count


def test_likely_duplicates_by_birth_date_and_similar_name_are_shown_first(
    desk: FlaskClient, clock: ManualClock
) -> None:
    existing = registered(register(desk, prefix="", surname="Jansen", postcode="9401 AB"))
    count = patron_count()
    # A typo, another address: the same birth date and a similar name.
    warned = register(desk, prefix="", surname="Janssen", postcode="1234 AB", house_number="5")
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and patron_count() == count
    assert "Bestaat deze klant al?" in html
    assert f'href="/balie/klanten/{existing.temporary_number}"' in html
    assert f'name="passed_duplicates" type="hidden" value="{existing.id}"' in html
    # Sending it again without "register anyway" warns again; with it, the patron is made.
    data = {"passed_duplicates": str(existing.id)}
    again = register(
        desk, prefix="", surname="Janssen", postcode="1234 AB", house_number="5", **data
    )
    assert again.status_code == 200 and patron_count() == count
    made = registered(
        register(
            desk,
            prefix="",
            surname="Janssen",
            postcode="1234 AB",
            house_number="5",
            create_anyway="1",
            **data,
        )
    )
    assert made.id != existing.id and made.surname == "Janssen"


def test_likely_duplicates_by_address_and_initial_are_shown(desk: FlaskClient) -> None:
    existing = registered(register(desk, initials="M.J.", surname="Dijk"))
    warned = register(desk, initials="m", surname="Bakker", first_name="", birth_date="1990-02-03")
    assert warned.status_code == 200
    assert f'href="/balie/klanten/{existing.temporary_number}"' in warned.get_data(as_text=True)
    # Another initial at the same address is another person.
    registered(
        register(desk, initials="P.", surname="Bakker", first_name="", birth_date="1990-02-03")
    )


def test_going_on_past_one_duplicate_does_not_pass_another(
    desk: FlaskClient, clock: ManualClock
) -> None:
    first = registered(register(desk, prefix="", surname="Jansen", postcode="9401 AB"))
    passed = {"passed_duplicates": str(first.id), "create_anyway": "1"}
    names = ("M.", "", "Janssens", "")
    other = create_patron(db.session, None, clock.now(), names=names, address=("9999 ZZ", "1"))
    db.session.commit()
    again = register(
        desk, prefix="", surname="Jansens", postcode="1234 AB", house_number="5", **passed
    )
    assert again.status_code == 200 and str(other.id) in again.get_data(as_text=True)


def test_names_are_compared_without_accents_case_or_prefix(app: Flask, clock: ManualClock) -> None:
    known = create_patron(db.session, None, clock.now(), names=("M.", "de", "Müller", ""))
    db.session.flush()
    details = PersonalDetails(**{**typed_details(), "prefix": "", "surname": "DE MULLER"})
    assert known in likely_duplicates(db.session, details)
    stranger = PersonalDetails(**{**typed_details(), "surname": "Visser"})
    assert known not in likely_duplicates(db.session, stranger)


def typed_details() -> dict[str, Any]:
    """Personal details as the desk types them, at another address than the factories'."""
    data = details_data(postcode="1111 AA", house_number="1", newsletter=False)
    data.pop("branch")
    return {**data, "birth_date": date(1985, 4, 15)}


def test_the_duplicate_look_up_scans_no_table(app: Flask, clock: ManualClock) -> None:
    for _ in range(3):
        create_patron(db.session, None, clock.now())
    db.session.commit()
    with captured() as statements:
        likely_duplicates(db.session, PersonalDetails(**typed_details()))
    assert statements and scans(db.session, statements) == []


def test_a_patron_is_refused_the_desk(app: Flask, client: FlaskClient) -> None:
    patron = member(client)
    assert log_in(client, patron.customer_number, PASSWORD).status_code == 303
    assert client.get(PAGE).status_code == 403
    count = patron_count()
    assert client.post(PAGE, data=details_data(subscription="0045")).status_code in (400, 403)
    assert patron_count() == count


def test_an_anonymous_visitor_is_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code in (302, 303) and "/inloggen" in response.location


def test_a_patron_registered_at_the_desk_is_found_by_name_with_a_typo(desk: FlaskClient) -> None:
    patron = registered(register(desk, **SOMEONE_ELSE))
    found = desk.get("/balie/klanten", query_string={"q": "Zandtsra"})
    assert found.status_code == 303
    assert found.location.endswith(f"/balie/klanten/{patron.temporary_number}")


def test_an_institution_is_found_among_many_born_on_the_same_day(
    app: Flask, clock: ManualClock
) -> None:
    # Every institution is born on 01-01-1980: more of them than one look-up reads.
    for _ in range(520):
        create_patron(db.session, None, clock.now(), birth_date=date(1980, 1, 1))
    names = ("", "", "Obs De Regenboog", "")
    known = create_patron(db.session, None, clock.now(), birth_date=date(1980, 1, 1), names=names)
    db.session.flush()
    typed = {**typed_details(), "surname": "OBS de Regenbogg", "birth_date": date(1980, 1, 1)}
    assert known in likely_duplicates(db.session, PersonalDetails(**typed))


@pytest.mark.parametrize(
    ("postcode", "house_number"), [("9401ab", "12 A"), ("9401 AB", "12-a"), ("9401AB ", "12a")]
)
def test_an_address_is_the_same_however_it_is_typed(
    app: Flask, clock: ManualClock, postcode: str, house_number: str
) -> None:
    known = create_patron(db.session, None, clock.now(), address=("9401 AB", "12a"))
    db.session.flush()
    typed = {
        **typed_details(),
        "surname": "Visser",
        "birth_date": date(1990, 2, 3),
        "postcode": postcode,
        "house_number": house_number,
    }
    assert known in likely_duplicates(db.session, PersonalDetails(**typed))
    other_house = PersonalDetails(**{**typed, "house_number": "12b"})
    assert known not in likely_duplicates(db.session, other_house)


def test_many_likely_duplicates_are_read_at_once_and_the_first_20_listed(
    desk: FlaskClient, clock: ManualClock
) -> None:
    names = ("M.", "", "Jansen", "")
    many = [create_patron(db.session, None, clock.now(), names=names) for _ in range(25)]
    cards = {p.id: create_card(db.session, p, clock.now()).number for p in many}
    db.session.commit()
    with captured() as statements:
        warned = register(desk, prefix="", surname="Jansen", **SOMEONE_ELSE_S_ADDRESS)
    html = warned.get_data(as_text=True)
    assert len(statements) < len(many)  # not a query or two per duplicate
    warning = html.split('id="duplicates"')[1].split("</section>")[0]
    listed = re.findall(r'href="/balie/klanten/(\w+)"', warning)
    assert listed == [cards[p.id] for p in many[:20]]
    assert "25 klanten gevonden" in html
    ids = ",".join(str(p.id) for p in many)
    assert f'name="passed_duplicates" type="hidden" value="{ids}"' in html
    passed = {"passed_duplicates": ids, "create_anyway": "1"}
    registered(register(desk, prefix="", surname="Jansen", **SOMEONE_ELSE_S_ADDRESS, **passed))


# Another address than the factories' (and the form's).
SOMEONE_ELSE_S_ADDRESS = {"postcode": "9468 BG", "house_number": "3"}
