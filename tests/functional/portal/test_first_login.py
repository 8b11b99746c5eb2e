"""First login with a card number on an account the desk made without e-mail; changing e-mail."""

import re
from email import message_from_bytes, policy

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.accounts.passwords import hash_password
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.timeutil import local_today
from tests.support.accounts import PASSWORD, give_card, log_in, member
from tests.support.dates import years_before
from tests.support.factories import create_account, create_patron
from tests.support.signup import csrf_token

NEW = "zeilboot-op-het-meer-drie-9"
DESK_PASSWORD = "welkom-bij-de-bieb"


def desk_member(age_years: int = 40):  # noqa: ANN201
    """A patron with a card and a login account without e-mail, as the desk makes them."""
    account = create_account(db.session, now(), confirmed=True)
    account.email, account.password_hash = None, hash_password(DESK_PASSWORD)
    patron = create_patron(db.session, account, now())
    birth = years_before(local_today(now()), age_years)
    patron.first_name, patron.birth_date = "Sanné", birth
    patron.prefix = "van 't"
    db.session.commit()
    give_card(patron, "52700000055555")
    return account, patron


def answers(**changes: str) -> dict[str, str]:
    """A correct first-login form."""
    data = {
        "email": "sanne@example.nl",
        "password": NEW,
        "password_confirm": NEW,
        "first_name": "sanne",
        "postcode_digits": "7961",
        "terms": "y",
        "newsletter": "y",
    }
    return {**data, **changes}


def confirm_link(kind: str) -> str:
    """The path of the newest link in a mail of this kind."""
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id.desc())
    ).first()
    text = (
        message_from_bytes(mail.message, policy=policy.default).get_body(("plain",)).get_content()
    )
    return re.search(r"https?://[^/\s]+(/bevestigen/\S+)", text)[1]


def test_first_login_asks_email_password_and_identity_then_confirms_by_mail(
    client: FlaskClient,
) -> None:
    account, patron = desk_member()
    first = log_in(client, "52700000055555", DESK_PASSWORD, next_path="/mijn-account")
    assert first.location == "/eerste-keer"
    page = client.get("/eerste-keer")
    assert "nieuwsbrief" in page.get_data(as_text=True)
    wrong = client.post(
        "/eerste-keer", data={"csrf_token": csrf_token(page), **answers(surname="Jansen")}
    )
    assert "komen niet overeen" in wrong.get_data(as_text=True)
    done = client.post(
        "/eerste-keer",
        data={"csrf_token": csrf_token(page), **answers(surname=f"van 't {patron.surname}")},
    )
    assert done.location == "/mijn-account", "back to where the login was going"
    assert client.get("/mijn-account").status_code == 200
    db.session.expire_all()
    assert (account.email, account.pending_email) == (None, "sanne@example.nl")
    assert patron.newsletter and account.terms_accepted_at is not None
    assert "bevestigd" in client.get(confirm_link("confirm_new_email")).get_data(as_text=True)
    db.session.expire_all()
    assert account.email == "sanne@example.nl"
    other = client.application.test_client()
    assert log_in(other, "sanne@example.nl", NEW).status_code == 303


def test_the_newsletter_is_offered_from_16_only(client: FlaskClient) -> None:
    desk_member(age_years=14)
    log_in(client, "52700000055555", DESK_PASSWORD)
    assert "nieuwsbrief" not in client.get("/eerste-keer").get_data(as_text=True)


def test_the_first_login_page_needs_the_card_login_first(client: FlaskClient) -> None:
    assert client.get("/eerste-keer").location == "/inloggen"


def test_a_new_email_counts_only_once_confirmed(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    old = patron.login_account.email
    log_in(client, patron.customer_number)
    page = client.get("/mijn-account/e-mail")
    data = {"csrf_token": csrf_token(page), "email": "nieuw@example.nl"}
    refused = client.post("/mijn-account/e-mail", data={**data, "current_password": "nope"})
    assert "niet je huidige wachtwoord" in refused.get_data(as_text=True)
    client.post("/mijn-account/e-mail", data={**data, "current_password": PASSWORD})
    db.session.expire_all()
    assert patron.login_account.email == old
    client.get(confirm_link("confirm_new_email"))
    db.session.expire_all()
    assert patron.login_account.email == "nieuw@example.nl"


def test_a_guest_membership_can_use_the_existing_login_account(
    client: FlaskClient, mollie_sandbox
) -> None:
    home = member(client)
    desk_account, guest = desk_member()
    desk_account_id = desk_account.id
    log_in(client, "52700000055555", DESK_PASSWORD)
    page = client.get("/koppelen")
    wrong = client.post(
        "/koppelen",
        data={"csrf_token": csrf_token(page), "login": home.customer_number, "password": "nope"},
    )
    assert "kloppen niet" in wrong.get_data(as_text=True)
    linked = client.post(
        "/koppelen",
        data={"csrf_token": csrf_token(page), "login": home.customer_number, "password": PASSWORD},
    )
    assert linked.status_code == 303
    db.session.expire_all()
    assert guest.login_account_id == home.login_account_id
    assert db.session.get(LoginAccount, desk_account_id) is None
    assert guest.home_branch.name in client.get("/mijn-account").get_data(as_text=True)


def test_staff_forget_a_login_and_make_a_new_one(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["accounts", "forget", patron.customer_number]).exit_code == 0
    assert "kloppen niet" in log_in(client, patron.customer_number).get_data(as_text=True)
    made = runner.invoke(args=["accounts", "create-login", patron.customer_number])
    assert made.exit_code == 0, made.output
    password = made.output.split("password ")[1].strip()
    assert log_in(client, patron.customer_number, password).location == "/eerste-keer"
    again = runner.invoke(args=["accounts", "create-login", patron.customer_number])
    assert again.exit_code != 0 and "has_login" in again.output


def test_a_first_login_left_behind_expires(client: FlaskClient) -> None:
    desk_member()
    assert log_in(client, "52700000055555", DESK_PASSWORD).location == "/eerste-keer"
    with client.session_transaction() as session:
        session["first_login_at"] = "2026-01-01T00:00:00+00:00"
    assert client.get("/eerste-keer").location == "/inloggen"
    assert client.get("/koppelen").location == "/inloggen"


def test_the_first_name_is_needed_only_where_the_library_has_one(client: FlaskClient) -> None:
    _, patron = desk_member()
    log_in(client, "52700000055555", DESK_PASSWORD)
    page = client.get("/eerste-keer")
    surname = f"van 't {patron.surname}"
    left_out = answers(first_name="", surname=surname)
    refused = client.post("/eerste-keer", data={"csrf_token": csrf_token(page), **left_out})
    assert "komen niet overeen" in refused.get_data(as_text=True)
    patron.first_name = ""
    db.session.commit()
    done = client.post("/eerste-keer", data={"csrf_token": csrf_token(page), **left_out})
    assert done.status_code == 303


def test_guessing_the_identity_ends_the_first_login(client: FlaskClient) -> None:
    _, patron = desk_member()
    log_in(client, "52700000055555", DESK_PASSWORD)
    for _ in range(5):
        page = client.get("/eerste-keer")
        last = client.post(
            "/eerste-keer",
            data={
                "csrf_token": csrf_token(page),
                **answers(postcode_digits="1234", surname=patron.surname),
            },
        )
    assert last.location == "/inloggen"
    assert client.get("/eerste-keer").location == "/inloggen"
