"""Logging in to the online library: every answer, throttling, sessions, forgotten passwords."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.models.card import CardRole
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from tests.support.accounts import PASSWORD, give_card, log_in, mailed_path, member
from tests.support.signup import csrf_token, signed_up

BAD = "De inloggegevens kloppen niet"


def error_of(page) -> str:  # noqa: ANN001
    """The text of the login field's error."""
    match = re.search(r'id="login-error">(.*?)</span>\s*<input', page.get_data(as_text=True), re.S)
    return re.sub(r"<[^>]+>", "", match[1]).strip() if match else ""


def logged_in(client: FlaskClient) -> bool:
    """Whether the account page opens (instead of sending to the login form)."""
    return client.get("/mijn-account").status_code == 200


@pytest.mark.parametrize("how", ["number", "email", "username"])
def test_log_in_by_number_email_or_username(client: FlaskClient, mollie_sandbox, how: str) -> None:
    patron = member(client)
    login = {
        "number": patron.customer_number,
        "email": patron.login_account.email.upper(),
        "username": patron.login_account.username,
    }[how]
    response = log_in(client, login)
    assert response.status_code == 303, error_of(response)
    assert logged_in(client)


def test_main_card_logs_in_and_the_old_number_says_it_changed(
    client: FlaskClient, new_browser, mollie_sandbox
) -> None:
    patron = member(client)
    give_card(patron, "52700000012345")
    assert log_in(client, "52700000012345").status_code == 303
    other = new_browser()
    response = log_in(other, patron.customer_number)
    assert response.status_code == 303
    home = other.get(response.location).get_data(as_text=True)
    assert "52700000012345" in home


def test_secondary_card_is_told_to_use_the_main_card(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    give_card(patron, "52700000012345")
    give_card(patron, "52700000099999", CardRole.SECONDARY)
    message = error_of(log_in(client, "52700000099999"))
    assert "hoofdpas" in message and "2345" in message and "52700000012345" not in message
    assert not logged_in(client)


def test_wrong_password_and_unknown_login_get_the_same_answer(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    wrong = error_of(log_in(client, patron.customer_number, "not-the-password"))
    unknown = error_of(log_in(client, "2X99999999", "not-the-password"))
    assert wrong == unknown and BAD in wrong


def test_blocked_and_unconfirmed_accounts_get_their_own_answer(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    account = patron.login_account
    account.confirmed_at = None
    db.session.commit()
    assert "Bevestig eerst" in error_of(log_in(client, patron.customer_number))
    account.status = "blocked"
    db.session.commit()
    assert "geblokkeerd" in error_of(log_in(client, patron.customer_number))


def test_guessing_waits_longer_each_time_known_or_unknown(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    for login in (patron.customer_number, "2X12345674"):
        for _ in range(5):
            assert BAD in error_of(log_in(client, login, "wrong-guess"))
        locked = error_of(log_in(client, login, "wrong-guess"))
        assert "Probeer het opnieuw na" in locked
    still = error_of(log_in(client, patron.customer_number, PASSWORD))
    assert "Probeer het opnieuw na" in still and not logged_in(client)


def test_many_posts_from_one_address_are_slowed_down(
    app: Flask, new_browser, mollie_sandbox
) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = new_browser()
    answers = [log_in(client, "2X00000000", "x").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    page = log_in(client, "2X00000000", "x")
    assert page.status_code == 429 and "Wacht een minuut" in page.get_data(as_text=True)
    assert "Retry-After" in page.headers


def test_login_starts_a_new_session_and_logout_ends_it(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    with client.session_transaction() as session:
        session["left_over"] = "from before"
    response = log_in(client, patron.customer_number)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "left_over" not in session and session["_fresh"]
    token = csrf_token(client.get("/mijn-account"))
    client.post("/uitloggen", data={"csrf_token": token})
    assert client.get("/mijn-account").status_code == 302


def test_next_only_goes_back_to_this_site(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    for evil in (
        "//evil.example/x",
        "/%09/evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ):
        response = log_in(client, patron.customer_number, next_path=evil)
        assert response.location == "/mijn-account", evil
    client.get("/mijn-account")
    again = log_in(client, patron.customer_number, next_path="/mijn-account")
    assert again.location == "/mijn-account"


def reset_link() -> str:
    """The path of the newest password-reset link that was mailed."""
    return mailed_path("password_reset", "/wachtwoord-herstellen/")


def ask_reset(client: FlaskClient, login: str) -> str:
    """Submit the forgot-password form; the page's text (without its form's CSRF token, which
    carries the second it was made)."""
    token = csrf_token(client.get("/wachtwoord-vergeten"))
    page = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "login": login})
    return re.sub(r'(name="csrf_token" value=")[^"]+', r"\1", page.get_data(as_text=True))


def test_forgot_password_answers_alike_and_mails_only_a_known_address(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    unknown = ask_reset(client, "nobody@example.nl")
    assert (
        db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "password_reset")).all()
        == []
    )
    known = ask_reset(client, patron.customer_number)
    assert unknown == known and "balie" in known
    link = reset_link()
    new = "zomer-fietsen-langs-de-vaart-7"
    token = csrf_token(client.get(link))
    done = client.post(link, data={"csrf_token": token, "password": new, "password_confirm": new})
    assert done.status_code == 303
    assert BAD in error_of(log_in(client, patron.customer_number, PASSWORD))
    assert log_in(client, patron.customer_number, new).status_code == 303
    assert client.get(link).status_code == 410, "a reset link works once"


def test_forgot_password_without_an_email_sends_nothing(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    account = db.session.get(LoginAccount, patron.login_account_id)
    account.email = None
    db.session.commit()
    assert "balie" in ask_reset(client, patron.customer_number)
    assert (
        db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "password_reset")).all()
        == []
    )


def test_a_forged_reset_link_is_refused(client: FlaskClient) -> None:
    assert client.get("/wachtwoord-herstellen/not-a-token").status_code == 410


def test_account_page_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/mijn-account")
    assert response.status_code == 302 and "/inloggen" in response.location
    assert db.session.scalars(select(Patron)).all() == []


def test_digital_only_logs_in_with_its_system_number(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client, "0141")
    assert patron.system_number.startswith("DO")
    assert log_in(client, patron.system_number).status_code == 303


def test_a_blocked_card_and_an_expired_confirmation_get_their_answers(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    card = give_card(patron, "52700000012345")
    card.status = "lost"
    account = patron.login_account
    account.confirmed_at, account.created_at = None, account.created_at - timedelta(days=2)
    db.session.commit()
    assert "geblokkeerd" in error_of(log_in(client, "52700000012345"))
    assert "niet binnen 24 uur bevestigd" in error_of(log_in(client, patron.customer_number))


def test_the_desk_sets_a_one_time_password(app: Flask, client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    result = app.test_cli_runner().invoke(
        args=["accounts", "reset-password", patron.customer_number]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("password ")[1].strip()
    assert BAD in error_of(log_in(client, patron.customer_number))
    assert log_in(client, patron.customer_number, password).status_code == 303


def test_a_guesser_elsewhere_does_not_lock_the_patron_out(
    client: FlaskClient, new_browser, mollie_sandbox
) -> None:
    patron = member(client)
    guesser = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(6):
        page = csrf_token(client.get("/inloggen", environ_base=guesser))
        data = {"csrf_token": page, "login": patron.customer_number, "password": "wrong-guess"}
        last = client.post("/inloggen", data=data, environ_base=guesser)
    assert "Probeer het opnieuw na" in error_of(last)
    assert log_in(new_browser(), patron.customer_number).status_code == 303


def test_a_login_lands_on_my_account_with_the_name_in_the_header(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    response = log_in(client, patron.login_account.username)
    assert response.status_code == 303 and response.location == "/mijn-account"
    for page in ("/mijn-account", "/", "/word-lid", "/mijn-account/wachtwoord"):
        header = client.get(page).get_data(as_text=True).split("</header>")[0]
        assert "Ingelogd als M.J. van Dijk" in header, page


def test_the_confirmed_account_page_offers_to_log_in(client: FlaskClient, mollie_sandbox) -> None:
    signed_up(client)
    page = client.get(mailed_path("confirm_account", "/bevestigen/account/")).get_data(as_text=True)
    assert re.search(r'<a class="button button-primary" href="/inloggen">Inloggen</a>', page)


def test_the_library_email_on_the_record_logs_in_when_it_belongs_to_one_login(
    client: FlaskClient, new_browser, mollie_sandbox
) -> None:
    patron = member(client)
    patron.library_email = "Marieke.Werk@Example.nl"
    db.session.commit()
    assert BAD in error_of(log_in(new_browser(), "marieke.werk@example.nl"))  # not confirmed
    patron.library_email_confirmed_at = now()
    db.session.commit()
    assert log_in(new_browser(), "marieke.werk@example.nl").status_code == 303
    other = member(new_browser(), username="jan85", email="jan@example.nl")
    other.library_email = "marieke.werk@example.nl"  # the same address, another login
    db.session.commit()
    assert log_in(new_browser(), "marieke.werk@example.nl").status_code == 303  # unconfirmed
    other.library_email_confirmed_at = now()
    db.session.commit()
    assert BAD in error_of(log_in(new_browser(), "marieke.werk@example.nl"))
