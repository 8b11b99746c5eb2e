"""Cancelling in *Mijn account*: at the end of the period or now, always with a reason from the
catalogue's list; direct debit stops (at the provider too); a cancelled subscription renews no
more; a second cancellation, one without a reason and the desk's own reasons are refused."""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes, policy

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.mail import OutboxMail
from shared.models.mandate import Mandate
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, PaymentPurpose
from shared.payments import ledger
from shared.timeutil import local_today
from tests.functional.portal.test_language import choose_language
from tests.functional.portal.test_renewal import go_to, run_daily, send_mails, subscription_of
from tests.support.accounts import log_in, member
from tests.support.signup import csrf_token
from tests.support.staff import desk_session, refuse

DAY = timedelta(days=1)


def cancel_page(patron: Patron) -> str:
    """The path of the patron's cancel form."""
    return f"/mijn-account/{patron.id}/opzeggen"


def cancel(client: FlaskClient, patron: Patron, **fields: str) -> TestResponse:
    """Fill in the cancel form and send it."""
    page = client.get(cancel_page(patron))
    return client.post(cancel_page(patron), data={"csrf_token": csrf_token(page), **fields})


def logged_in_member(client: FlaskClient, plan: str = "0045") -> Patron:
    """A paying member, logged in on `client`."""
    patron = member(client, plan)
    log_in(client, patron.customer_number)
    return patron


def test_the_form_offers_the_moments_and_the_patrons_reasons_in_dutch_and_english(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = logged_in_member(client)
    page = client.get(cancel_page(patron)).get_data(as_text=True)
    assert '<label for="reason">Reden opzegging</label>' in page
    for words in ("Aan het einde van de periode", "Per direct", "geen geld terug", "Verhuizing"):
        assert words in page, words
    assert "Overleden" not in page  # the desk's own reason
    assert 'aria-describedby="when-now-warning"' in page
    choose_language(client, "en", cancel_page(patron))
    english = client.get(cancel_page(patron)).get_data(as_text=True)
    assert "Moving house" in english and "Reason for cancelling" in english


def test_cancelling_at_the_end_keeps_the_period_with_its_reason_and_renews_no_more(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    patron = logged_in_member(client)
    end = subscription_of(patron).end_date
    answer = cancel(client, patron, when="end", reason="verhuisd")
    assert answer.status_code == 303
    cancelled = subscription_of(patron)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "verhuisd")
    assert cancelled.end_date == end and cancelled.usable_on(end)
    assert not cancelled.usable_on(end + DAY)
    shown = client.get("/mijn-account").get_data(as_text=True)
    assert "Je abonnement is opgezegd. Je kunt de bibliotheek gebruiken tot en met" in shown
    assert "Opgezegd: geldig tot en met" in shown
    go_to(clock, end - 30 * DAY)
    assert run_daily(app)["notice"] == 0
    go_to(clock, end + DAY)
    assert run_daily(app)["invoice"] == 0
    assert subscription_of(patron).status == "cancelled"


def test_cancelling_now_ends_the_subscription_today(
    client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    patron = logged_in_member(client)
    go_to(clock, local_today(clock.now()) + 40 * DAY)
    today = local_today(clock.now())
    assert cancel(client, patron, when="now", reason="te_duur").status_code == 303
    ended = subscription_of(patron)
    assert (ended.status, ended.cancel_reason, ended.end_date) == ("cancelled", "te_duur", today)
    assert not ended.usable_on(today + DAY)
    assert "Je abonnement is opgezegd en stopt vandaag." in client.get("/mijn-account").get_data(
        as_text=True
    )


def test_without_a_reason_nothing_is_cancelled_and_the_error_is_at_the_field(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = logged_in_member(client)
    answer = cancel(client, patron, when="end", reason="")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert re.search(r'<span class="error" id="reason-error">.*Kies een reden', html)
    assert re.search(r'<select[^>]*aria-describedby="reason-error"[^>]*aria-invalid="true"', html)
    assert subscription_of(patron).cancelled_at is None


def test_a_reason_only_the_desk_gives_or_none_of_the_list_is_refused(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = logged_in_member(client)
    for reason in ("overleden", "geen-zin"):
        answer = cancel(client, patron, when="now", reason=reason)
        assert answer.status_code == 200 and 'id="reason-error"' in answer.get_data(as_text=True)
    assert subscription_of(patron).cancelled_at is None


def test_cancelling_twice_is_refused(client: FlaskClient, mollie_sandbox) -> None:
    patron = logged_in_member(client)
    end = subscription_of(patron).end_date
    cancel(client, patron, when="end", reason="verhuisd")
    page = client.get(cancel_page(patron)).get_data(as_text=True)
    assert "Dit abonnement is al opgezegd." in page and 'name="reason"' not in page
    token = csrf_token(client.get("/mijn-account"))
    data = {"csrf_token": token, "when": "now", "reason": "te_duur"}
    again = client.post(cancel_page(patron), data=data)
    assert again.status_code == 200 and "Dit abonnement is al opgezegd." in again.get_data(True)
    kept = subscription_of(patron)
    assert (kept.cancel_reason, kept.end_date) == ("verhuisd", end)


def test_a_direct_debit_member_cancelling_has_the_mandate_revoked_at_the_provider(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = logged_in_member(client, "0049")
    subscription = subscription_of(patron)
    assert cancel(client, patron, when="now", reason="weinig_gebruik").status_code == 303
    ended = subscription_of(patron)
    assert (ended.status, ended.cancel_reason) == ("cancelled", "weinig_gebruik")
    mandate = db.session.scalars(select(Mandate)).one()
    assert mandate.status == "revoked"
    customer = mollie_sandbox.client().customers.get(patron.mollie_customer_id)
    assert customer.mandates.get(mandate.provider_id).status == "invalid"
    schedule = customer.subscriptions.get(subscription.mollie_subscription_id)
    assert schedule.status == "canceled"


def test_another_login_cannot_cancel_or_see_the_form(
    client: FlaskClient, new_browser, mollie_sandbox
) -> None:
    victim = member(client)
    other = new_browser()
    member(other, username="ander", email="ander@example.nl")
    log_in(other, "ander")
    assert other.get(cancel_page(victim)).status_code == 404
    token = csrf_token(other.get("/mijn-account"))
    data = {"csrf_token": token, "when": "now", "reason": "anders"}
    assert other.post(cancel_page(victim), data=data).status_code == 404
    assert db.session.get(Subscription, victim.subscriptions[0].id).cancelled_at is None


def renewal_link(patron: Patron) -> str:
    """The path of the pay link in the patron's renewal mail."""
    send_mails()
    query = select(OutboxMail).where(
        OutboxMail.kind == "renewal", OutboxMail.patron_id == patron.id
    )
    message = message_from_bytes(db.session.scalars(query).one().message, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/betalen/[^\s\"<]+)", text)
    assert link is not None, text
    return link[1]


def test_a_renewal_link_takes_no_money_once_the_subscription_is_cancelled_or_refused(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    other = member(new_browser(), username="joris", email="joris@example.nl")
    patron = logged_in_member(client)
    go_to(clock, subscription_of(patron).end_date - 30 * DAY)
    run_daily(app)
    assert cancel(client, patron, when="end", reason="verhuisd").status_code == 303
    assert refuse(desk_session(app, new_browser()), other, "invalid", "Fraude").status_code == 303
    for path, says in ((renewal_link(patron), "opgezegd"), (renewal_link(other), "balie")):
        page = client.get(path)
        assert page.status_code == 409 and says in page.get_data(as_text=True)
        assert client.post(path, data={"csrf_token": csrf_token(page)}).status_code == 409
    periods = select(Payment).where(Payment.purpose == PaymentPurpose.PERIOD)
    assert db.session.scalars(periods).all() == []


def test_cancelling_at_the_end_in_the_grace_period_ends_it_at_the_old_end_owing_nothing(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = logged_in_member(client)
    end = subscription_of(patron).end_date
    go_to(clock, end + DAY)
    run_daily(app)
    assert ledger.balance(db.session, patron.id) == Decimal("58.00")
    go_to(clock, end + 5 * DAY)
    assert cancel(client, patron, when="end", reason="te_duur").status_code == 303
    ended = subscription_of(patron)
    assert (ended.status, ended.end_date, ended.grace_until) == ("cancelled", end, None)
    assert not ended.usable_on(end + 5 * DAY)
    assert ledger.balance(db.session, patron.id) == 0
    withdrawn = ledger.entries(db.session, patron.id)[-1]
    assert (withdrawn.entry_type, withdrawn.amount) == ("payment", Decimal("58.00"))
    fee = ["ledger", "charge", patron.customer_number, "2.50", "Te laat", "--key", "fee-1"]
    assert app.test_cli_runner().invoke(args=fee).exit_code == 0
    assert ledger.balance(db.session, patron.id) == Decimal("2.50")  # the fee only
