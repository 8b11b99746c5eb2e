"""Signup form rules as the patron meets them: age bands, taken usernames, errors tied to fields."""

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient

from portal.wiring import now
from shared.clock import ManualClock
from shared.timeutil import local_today
from tests.support.dates import years_before
from tests.support.signup import account_data, choose, details_data, submit

ADULT_ACCOUNT = account_data()


def to_details(client: FlaskClient, subscription: str = "0045") -> None:
    """Complete the subscription and account steps."""
    choose(client, subscription)
    submit(client, "/word-lid/account", ADULT_ACCOUNT)


def birth_date_for_age(age: int) -> str:
    """A birth date that makes the patron exactly `age` today."""
    return years_before(local_today(now()), age).isoformat()


def test_under_19_is_told_youth_membership_is_free_at_the_desk(client: FlaskClient) -> None:
    to_details(client)
    page = submit(client, "/word-lid/gegevens", details_data(birth_date=birth_date_for_age(18)))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "gratis" in text and "balie" in text


def test_age_outside_band_names_the_band(client: FlaskClient) -> None:
    to_details(client, "0045")
    page = submit(client, "/word-lid/gegevens", details_data(birth_date=birth_date_for_age(100)))
    assert "19 tot en met 99" in page.get_data(as_text=True)


def test_the_upper_age_of_compleet_is_110(client: FlaskClient) -> None:
    to_details(client, "0053")
    page = submit(client, "/word-lid/gegevens", details_data(birth_date=birth_date_for_age(100)))
    assert page.status_code == 303


def test_errors_are_tied_to_their_fields(client: FlaskClient) -> None:
    to_details(client)
    page = submit(client, "/word-lid/gegevens", details_data(surname="", postcode="12345"))
    html = page.get_data(as_text=True)
    surname = re.search(r"<input[^>]*id=\"surname\"[^>]*>", html)[0]
    assert 'aria-invalid="true"' in surname and 'aria-describedby="surname-error"' in surname
    assert 'id="surname-error"' in html and "Dit veld is verplicht." in html
    assert 'id="postcode-error"' in html and 'href="#postcode"' in html


def test_postcode_and_iban_are_checked_and_normalised(client: FlaskClient) -> None:
    to_details(client)
    bad = submit(client, "/word-lid/gegevens", details_data(iban="NL00BANK0123456789"))
    assert 'id="iban-error"' in bad.get_data(as_text=True)
    good = submit(
        client, "/word-lid/gegevens", details_data(postcode="7961am", iban="nl91 abna 0417 1643 00")
    )
    assert good.status_code == 303
    review = client.get("/word-lid/controle").get_data(as_text=True)
    assert "7961 AM" in review and "NL91ABNA0417164300" in review


def test_invalid_email_and_weak_password_are_refused(client: FlaskClient) -> None:
    choose(client)
    data = account_data(email="marieke@", password="welkom123456", password_confirm="welkom123456")
    html = submit(client, "/word-lid/account", data).get_data(as_text=True)
    assert 'id="email-error"' in html and 'id="password-error"' in html


def test_password_confirmation_must_match(client: FlaskClient) -> None:
    choose(client)
    data = account_data(password_confirm="iets-anders-dan-het-wachtwoord")
    html = submit(client, "/word-lid/account", data).get_data(as_text=True)
    assert 'id="password_confirm-error"' in html


def test_a_taken_username_is_refused(client: FlaskClient, new_browser) -> None:  # noqa: ANN001
    to_details(client)
    other = new_browser()
    choose(other, "0053")
    page = submit(other, "/word-lid/account", account_data(username="MARIEKE85"))
    assert 'id="username-error"' in page.get_data(as_text=True)


def test_steps_cannot_be_skipped(client: FlaskClient) -> None:
    assert client.get("/word-lid/controle").headers["Location"].endswith("/word-lid")
    choose(client)
    assert client.get("/word-lid/controle").headers["Location"].endswith("/word-lid/account")


def test_missing_csrf_token_is_refused(client: FlaskClient) -> None:
    assert client.post("/word-lid", data={"subscription": "0045"}).status_code in (200, 400)
    assert client.get("/word-lid/account").status_code == 302


def test_english_is_one_click_away(client: FlaskClient) -> None:
    page = client.get("/word-lid")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    client.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/word-lid"})
    english = client.get("/word-lid").get_data(as_text=True)
    assert 'lang="en"' in english and "per year" in english


def test_the_age_band_holds_on_29_february(client: FlaskClient, clock: ManualClock) -> None:
    clock.set(datetime(2028, 2, 29, 11, tzinfo=UTC))  # noon in Amsterdam, a leap day
    to_details(client)
    adult = submit(client, "/word-lid/gegevens", details_data(birth_date="2009-02-28"))
    assert adult.status_code == 303 and adult.location.endswith("/word-lid/controle")  # 19 today
    to_details(client)
    youth = submit(client, "/word-lid/gegevens", details_data(birth_date="2009-03-01"))
    assert "gratis" in youth.get_data(as_text=True)


def field_error(html: str, field: str) -> str:
    """The error shown under a field (empty when there is none)."""
    match = re.search(rf'<span class="error" id="{field}-error">(.*?)</span>\s', html, re.S)
    return re.sub(r"<[^>]+>", "", match[1]) if match else ""


def test_a_required_field_of_spaces_is_empty(client: FlaskClient) -> None:
    to_details(client)
    page = submit(client, "/word-lid/gegevens", details_data(surname="   ", city=" \u00a0 "))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "verplicht" in field_error(html, "surname") and "verplicht" in field_error(html, "city")


def test_control_and_direction_characters_are_refused_at_their_field(client: FlaskClient) -> None:
    to_details(client)
    typed = details_data(
        surname="Dijk\x00", street="Dijk\u202ehuizen", prefix="van\u2066", city="\u200b"
    )
    html = submit(client, "/word-lid/gegevens", typed).get_data(as_text=True)
    for field in ("surname", "street", "prefix", "city"):
        assert "onzichtbare tekens" in field_error(html, field), field
    account = account_data(username="marieke\u200f85")
    choose(client)
    html = submit(client, "/word-lid/account", account).get_data(as_text=True)
    assert "onzichtbare tekens" in field_error(html, "username")


def test_text_is_capped_at_its_columns_length(client: FlaskClient) -> None:
    to_details(client)
    html = submit(client, "/word-lid/gegevens", details_data(surname="x" * 81)).get_data(
        as_text=True
    )
    assert "80" in field_error(html, "surname")
    assert submit(client, "/word-lid/gegevens", details_data(surname="x" * 80)).status_code == 303


def test_the_first_name_is_optional_for_adults(client: FlaskClient) -> None:
    to_details(client)
    assert submit(client, "/word-lid/gegevens", details_data(first_name="")).status_code == 303
    review = client.get("/word-lid/controle").get_data(as_text=True)
    assert "M.J. van Dijk" in review and "()" not in review
