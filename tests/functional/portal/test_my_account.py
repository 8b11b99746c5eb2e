"""*Mijn account*: what the patron sees, and stopping, password and language changes."""

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.mandate import Mandate
from shared.models.patron import Subscription
from shared.payments import ledger
from tests.support.accounts import PASSWORD, give_card, log_in, member
from tests.support.signup import csrf_token


def post_form(client: FlaskClient, page: str, action: str, **data: str):  # noqa: ANN201
    """Submit a form of `page` with its CSRF token."""
    token = csrf_token(client.get(page))
    return client.post(action, data={"csrf_token": token, **data})


def test_overview_shows_subscription_cards_payments_and_mandate(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client, "0049")
    give_card(patron, "52700000012345")
    log_in(client, "52700000012345")
    page = client.get("/mijn-account").get_data(as_text=True)
    subscription = db.session.scalars(select(Subscription)).one()
    for expected in (
        "Basis (maand-incasso)",
        "52700000012345",
        "hoofdpas",
        "Met automatische incasso",
        "NL55 •••• 0000",
        "T. Tester",
        "betaald",
        "Machtiging",
    ):
        assert expected in page, expected
    assert str(subscription.end_date.year) in page and "NL55INGB0000000000" not in page


def test_stopping_direct_debit_asks_a_reason_and_cancels_at_the_end_withdrawing_what_is_owed(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    patron = member(client, "0049")
    subscription = db.session.scalars(select(Subscription)).one()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")  # the next period owed
    assert ledger.balance(db.session, patron.id) == subscription.price
    log_in(client, patron.customer_number)
    stop = f"/mijn-account/{patron.id}/incasso-stoppen"
    assert f'href="{stop}"' in client.get("/mijn-account").get_data(as_text=True)
    page = client.get(stop).get_data(as_text=True)
    assert "Reden opzegging" in page and "Verhuizing" in page and "Overleden" not in page
    without = post_form(client, stop, stop, when="end", reason="")
    assert without.status_code == 200 and 'id="reason-error"' in without.get_data(as_text=True)
    now = post_form(client, stop, stop, when="now", reason="te_duur")  # only at the end
    assert now.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Mandate)).one().status == "valid"
    response = post_form(client, stop, stop, when="end", reason="te_duur")
    assert response.status_code == 303
    assert "De automatische incasso is gestopt" in client.get("/mijn-account").get_data(True)
    db.session.expire_all()
    stopped = db.session.scalars(select(Subscription)).one()
    assert (stopped.status, stopped.cancel_reason) == ("cancelled", "te_duur")
    assert stopped.end_date == subscription.end_date
    mandate = db.session.scalars(select(Mandate)).one()
    assert mandate.status == "revoked"
    customer = mollie_sandbox.client().customers.get(patron.mollie_customer_id)
    assert customer.mandates.get(mandate.provider_id).status == "invalid"
    assert customer.subscriptions.get(subscription.mollie_subscription_id).status == "canceled"
    assert ledger.balance(db.session, patron.id) == 0  # the period it will not get: withdrawn


def test_a_new_password_ends_every_other_session(
    client: FlaskClient, new_browser, mollie_sandbox
) -> None:
    patron = member(client)
    elsewhere = new_browser()
    log_in(elsewhere, patron.customer_number)
    log_in(client, patron.customer_number)
    new = "winter-schaatsen-op-de-sloot-4"
    post_form(
        client,
        "/mijn-account/wachtwoord",
        "/mijn-account/wachtwoord",
        current_password=PASSWORD,
        password=new,
        password_confirm=new,
    )
    assert client.get("/mijn-account").status_code == 200
    assert elsewhere.get("/mijn-account").status_code == 302


def test_no_page_can_be_framed_by_another_site(client: FlaskClient) -> None:
    response = client.get("/inloggen")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_changing_the_password_asks_the_old_one(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    log_in(client, patron.customer_number)
    new = "herfst-bladeren-in-de-tuin-31"
    data = {"password": new, "password_confirm": new}
    wrong = post_form(
        client,
        "/mijn-account/wachtwoord",
        "/mijn-account/wachtwoord",
        current_password="not-it",
        **data,
    )
    assert "niet je huidige wachtwoord" in wrong.get_data(as_text=True)
    done = post_form(
        client,
        "/mijn-account/wachtwoord",
        "/mijn-account/wachtwoord",
        current_password=PASSWORD,
        **data,
    )
    assert done.status_code == 303
    post_form(client, "/mijn-account", "/uitloggen")
    assert log_in(client, patron.customer_number, new).status_code == 303


def test_language_is_kept_for_the_account_and_its_mails(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    log_in(client, patron.customer_number)
    post_form(client, "/mijn-account", "/mijn-account/taal", lang="en")
    assert "My account" in client.get("/mijn-account").get_data(as_text=True)
    db.session.expire_all()
    assert (patron.login_account.locale, patron.locale) == ("en", "en")
