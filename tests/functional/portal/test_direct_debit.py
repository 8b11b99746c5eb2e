"""Direct debit end to end against the sandbox: mandate, schedule, collections, failures, revoke."""

import re
from datetime import timedelta
from email import message_from_bytes, policy

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.wiring import now
from shared.accounts.desk import create_desk_login, forget_login
from shared.clock import ManualClock
from shared.kiosks.devices import register_device
from shared.models.mail import OutboxMail
from shared.models.mandate import Mandate
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.models.registration import Registration
from shared.payments import ledger
from shared.timeutil import add_months
from tests.support.dates import noon_on
from tests.support.signup import checkout, csrf_token, signed_up, submit, walk_to_review

DAY = timedelta(days=1)


def the_subscription() -> Subscription:
    """The only patron's subscription, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(Subscription)).one()


def remote_schedule(mollie_sandbox, subscription: Subscription):
    """The sandbox's subscription, read through the real client."""
    customer = mollie_sandbox.client().customers.get(subscription.patron.mollie_customer_id)
    return customer.subscriptions.get(subscription.mollie_subscription_id)


def webhook_of(subscription: Subscription, server: str) -> str:
    """The schedule's webhook URL on the running portal."""
    return f"{server}/betalingen/webhook/incasso/{subscription.id}/{subscription.webhook_secret}"


def test_monthly_signup_makes_a_mandate_and_a_schedule_from_the_next_period(
    client: FlaskClient, mollie_sandbox
) -> None:
    first = signed_up(client, "0049")
    assert (first.sequence_type, first.customer_id is not None) == ("first", True)
    subscription = the_subscription()
    assert subscription.paid_by == "direct_debit"
    assert subscription.renewal_start == subscription.end_date + DAY
    remote = remote_schedule(mollie_sandbox, subscription)
    assert remote.interval == "1 month" and remote.amount == {"currency": "EUR", "value": "5.00"}
    assert remote.start_date == subscription.renewal_start.isoformat()
    mandate = db.session.scalars(select(Mandate)).one()
    assert mandate.masked_iban == "NL55 •••• 0000" and mandate.holder_name == "T. Tester"
    assert ledger.balance(db.session, subscription.patron_id) == 0


def test_yearly_basis_by_direct_debit_collects_yearly_from_the_first_of_the_month(
    client: FlaskClient, mollie_sandbox
) -> None:
    signed_up(client, "0045", payment_plan="direct_debit")
    subscription = the_subscription()
    remote = remote_schedule(mollie_sandbox, subscription)
    assert remote.interval == "12 months" and remote.amount["value"] == "58.00"
    assert remote.start_date == subscription.renewal_start.isoformat()
    assert subscription.renewal_start.day == 1


def test_a_subscription_without_direct_debit_refuses_it_at_the_field(client: FlaskClient) -> None:
    page = submit(client, "/word-lid", {"subscription": "0053", "payment_plan": "direct_debit"})
    assert page.status_code == 200
    assert 'id="payment_plan-error"' in page.get_data(as_text=True)


def test_a_plan_the_subscription_does_not_offer_is_refused_not_swapped(
    client: FlaskClient,
) -> None:
    page = submit(client, "/word-lid", {"subscription": "0049", "payment_plan": "once"})
    error = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="payment_plan-error"' in error
    assert "Basis (maand-incasso) kun je niet zo betalen" in error
    assert db.session.scalars(select(Registration)).first() is None


def test_a_subscription_with_one_way_to_pay_asks_nothing(client: FlaskClient) -> None:
    page = client.get("/word-lid").get_data(as_text=True)
    assert re.search(r'<fieldset[^>]*id="payment-plan"[^>]*hidden disabled', page)
    assert submit(client, "/word-lid", {"subscription": "0049"}).status_code == 303
    assert db.session.scalars(select(Registration)).one().payment_plan == "direct_debit"


def test_a_subscription_with_two_ways_to_pay_asks_how(client: FlaskClient) -> None:
    page = submit(client, "/word-lid", {"subscription": "0045"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="payment_plan-error"' in html
    assert re.search(r'<fieldset[^>]*id="payment-plan"[^>]*>', html)[0].count("hidden") == 0
    assert "Basis kun je op meer dan één manier betalen" in html
    chosen = submit(client, "/word-lid", {"subscription": "0045", "payment_plan": "direct_debit"})
    assert chosen.status_code == 303
    assert db.session.scalars(select(Registration)).one().payment_plan == "direct_debit"


def test_starting_the_schedule_is_retried_by_reconcile_and_happens_once(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    walk_to_review(client, "0049")
    token = csrf_token(client.get("/word-lid/controle"))
    checkout_url = client.post("/word-lid/betalen", data={"csrf_token": token}).location
    mollie_sandbox.inject_fault("error_500", count=50)
    return_page = client.get(checkout(checkout_url, "paid"))
    assert return_page.status_code == 200
    mollie_sandbox.clear_faults()
    runner = app.test_cli_runner()
    runner.invoke(args=["payments", "reconcile"])
    runner.invoke(args=["payments", "reconcile"])
    subscription = the_subscription()
    assert subscription.mollie_subscription_id is not None
    assert len(list(mollie_sandbox.client().subscriptions.list())) == 1


def test_each_collection_extends_once_even_duplicated_and_out_of_order(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    first_end, anchor = subscription.end_date, subscription.renewal_start
    one = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    two = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    hook = webhook_of(subscription, portal_server)
    for payment_id in (two["id"], one["id"], two["id"], one["id"]):
        assert requests.post(hook, data={"id": payment_id}, timeout=20).status_code == 200
    subscription = the_subscription()
    assert subscription.end_date == add_months(anchor, 2) - DAY > first_end
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 3
    assert ledger.balance(db.session, subscription.patron_id) == 0


def test_forged_schedule_webhook_is_refused_and_foreign_payment_ignored(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    charged = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    forged = f"{portal_server}/betalingen/webhook/incasso/{subscription.id}/wrong"
    assert requests.post(forged, data={"id": charged["id"]}, timeout=20).status_code == 403
    signup_payment = db.session.scalars(select(Payment)).first()
    hook = webhook_of(subscription, portal_server)
    assert (
        requests.post(hook, data={"id": signup_payment.provider_id}, timeout=20).status_code == 200
    )
    assert requests.post(hook, data={"id": "tr_unknown0000"}, timeout=20).status_code == 200
    assert the_subscription().end_date == subscription.end_date


def test_failed_collection_marks_and_mails_then_ideal_pays_the_period(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    failed = mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    subscription = the_subscription()
    assert subscription.status == "invoiced"
    assert ledger.balance(db.session, subscription.patron_id) == subscription.price
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "direct_debit_failed")
    ).one()
    link = _link_in(mail.message, "/betalen/")
    page = client.get(link)
    assert page.status_code == 200 and "5,00" in page.get_data(as_text=True)
    pay = client.post(link, data={"csrf_token": csrf_token(page)})
    client.get(checkout(pay.location, "paid"))
    subscription = the_subscription()
    assert subscription.status == "normal"
    assert subscription.end_date == add_months(subscription.renewal_start, 1) - DAY
    assert ledger.balance(db.session, subscription.patron_id) == 0
    hook = webhook_of(subscription, portal_server)
    requests.post(hook, data={"id": failed["id"]}, timeout=20)
    assert the_subscription().status == "normal"
    assert "betaald" in client.get(link).get_data(as_text=True)


def test_a_failed_collection_mails_a_desk_login_without_e_mail_at_the_library_address(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    patron = db.session.scalars(select(Patron)).one()
    forget_login(db.session, patron)
    create_desk_login(db.session, patron, now())
    db.session.commit()
    mollie_sandbox.charge(the_subscription().mollie_subscription_id, "failed")
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "direct_debit_failed")
    ).one()
    assert mail.to_address == patron.library_email


def _link_in(message: bytes, path: str) -> str:
    """The first link in a mail's plain text that goes to `path`, as a path."""
    text = message_from_bytes(message, policy=policy.default).get_body(("plain",)).get_content()
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", text)[1]


def test_revoking_cancels_the_schedule_and_keeps_the_paid_period(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    number = db.session.scalars(select(Patron)).one().customer_number
    shown = app.test_cli_runner().invoke(args=["direct-debit", "show", number]).output
    assert "NL55 •••• 0000\tT. Tester" in shown and "NL55INGB" not in shown
    unexplained = app.test_cli_runner().invoke(args=["direct-debit", "revoke", number])
    assert unexplained.exit_code != 0 and "--reason" in unexplained.output
    revoke = ["direct-debit", "revoke", number, "--reason", "verhuisd"]
    result = app.test_cli_runner().invoke(args=revoke)
    assert result.exit_code == 0, result.output
    assert subscription.end_date.isoformat() in result.output
    remote = remote_schedule(mollie_sandbox, subscription)
    assert remote.status == "canceled"
    db.session.expire_all()
    assert db.session.scalars(select(Mandate)).one().status == "revoked"
    after = the_subscription()
    assert (after.status, after.end_date, after.cancel_reason) == (
        "cancelled",
        subscription.end_date,
        "verhuisd",
    )
    again = app.test_cli_runner().invoke(args=revoke)
    assert again.exit_code != 0 and "nothing_to_cancel" in again.output


def test_a_lost_collection_webhook_is_found_by_reconcile_once_it_is_due(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    runner = app.test_cli_runner()
    runner.invoke(args=["payments", "reconcile"])
    assert the_subscription().end_date == subscription.end_date  # not due yet: not asked
    clock.set(noon_on(subscription.renewal_start))
    runner.invoke(args=["payments", "reconcile"])
    assert the_subscription().end_date == add_months(subscription.renewal_start, 1) - DAY


def test_a_reconcile_months_late_books_each_lost_collection_on_its_own_period(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    for _ in range(3):
        mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    clock.set(noon_on(add_months(subscription.renewal_start, 5)))
    app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert the_subscription().end_date == add_months(subscription.renewal_start, 3) - DAY
    periods = db.session.scalars(
        select(Payment.period_start).where(Payment.subscription_id == subscription.id)
    ).all()
    assert sorted(periods) == [subscription.start_date] + [  # the signup's, then collections
        add_months(subscription.renewal_start, n) for n in range(3)
    ]


def test_a_failed_period_paid_at_the_kiosk_counts_as_paid(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    patron = db.session.scalars(select(Patron)).one()
    _, token = register_device(db.session, "Kiosk", "5270", "term_sandboxKiosk1", now())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "kiosk-pays-period"}
    created = client.post(
        "/api/kiosk/v1/payments", headers=headers, json={"patron": patron.customer_number}
    )
    assert created.json["amount"] == "5.00"
    payment = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    mollie_sandbox.set_status(payment.provider_id, "paid")
    after = the_subscription()
    assert after.status == "normal"
    assert after.end_date == add_months(after.renewal_start, 1) - DAY
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "direct_debit_failed")
    ).one()
    assert "betaald" in client.get(_link_in(mail.message, "/betalen/")).get_data(as_text=True)


def test_a_later_collection_does_not_hide_an_unpaid_period(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    mollie_sandbox.charge(subscription.mollie_subscription_id, "paid")
    after = the_subscription()
    assert after.status == "invoiced"
    assert ledger.balance(db.session, after.patron_id) == after.price


def test_a_webhook_secret_beyond_ascii_is_refused_not_an_error(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client, "0049")
    subscription = the_subscription()
    for url in (
        f"{portal_server}/betalingen/webhook/{payment.reference}/%C3%A9",
        f"{portal_server}/betalingen/webhook/incasso/{subscription.id}/%C3%A9",
    ):
        assert requests.post(url, data={"id": payment.provider_id}, timeout=20).status_code == 403
