"""Chargebacks and late direct-debit failures through the sandbox: owed again once per
chargeback, the period unpaid again, the patron mailed, the desk told; a chargeback the bank
reverses credited once and the period paid again; and refunds of collections made in Mollie's
dashboard recorded."""

import re
from datetime import datetime
from decimal import Decimal
from email import message_from_bytes, policy

import requests
from babel.dates import format_datetime
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.patron import Patron, Subscription
from shared.models.payment import Chargeback, Payment, Refund
from shared.payments import direct_debit, ledger
from shared.payments.chargebacks import recent_chargebacks
from shared.timeutil import LOCAL_TZ
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.ledger_checks import (
    assert_chargebacks_match_the_sandbox,
    assert_ledger_matches_the_sandbox,
)
from tests.support.signup import checkout, csrf_token, signed_up
from tests.support.staff import desk_session

LATE_FAILURE = {"code": "AM04", "description": "Insufficient funds"}


def the_subscription() -> Subscription:
    """The only patron's subscription, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(Subscription)).one()


def schedule_hook(subscription: Subscription) -> str:
    """The path of the schedule's webhook."""
    return f"/betalingen/webhook/incasso/{subscription.id}/{subscription.webhook_secret}"


def payment_hook(payment: Payment) -> str:
    """The path of a one-off payment's webhook."""
    return f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"


def reconcile(app: Flask) -> None:
    """One pass of `payments reconcile`."""
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output


def chargeback_charges() -> list[Decimal]:
    """The amounts charged on the ledger for chargebacks."""
    db.session.expire_all()
    query = select(LedgerEntry.amount).where(LedgerEntry.dedupe_key.like("charge:chargeback:%"))
    return sorted(db.session.scalars(query))


def reversal_credits() -> list[Decimal]:
    """The amounts credited on the ledger for reversed chargebacks."""
    db.session.expire_all()
    key = LedgerEntry.dedupe_key.like("credit:chargeback-reversed:%")
    return sorted(db.session.scalars(select(LedgerEntry.amount).where(key)))


def the_chargeback() -> Chargeback:
    """The only chargeback recorded, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(Chargeback)).one()


def chargeback_mails() -> list[OutboxMail]:
    """The chargeback mails in the outbox."""
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "chargeback")))


def text_of(mail: OutboxMail) -> str:
    """A mail's plain text."""
    message = message_from_bytes(mail.message, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def collected(client: FlaskClient, mollie_sandbox) -> tuple[Subscription, dict]:
    """A monthly direct-debit member whose first collection was paid (and recorded)."""
    signed_up(client, "0049")
    subscription = the_subscription()
    collection = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    assert (
        client.post(schedule_hook(subscription), data={"id": collection["id"]}).status_code == 200
    )
    assert the_subscription().status == "normal"
    return subscription, collection


def test_a_late_failure_of_a_collection_is_owed_once_unpaid_again_and_mailed(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    paid_end = the_subscription().end_date
    mollie_sandbox.charge_back(collection["id"], reason=LATE_FAILURE)
    after = the_subscription()
    assert (after.status, after.end_date) == ("invoiced", paid_end)
    assert chargeback_charges() == [Decimal("5.00")]
    assert ledger.balance(db.session, after.patron_id) == Decimal("5.00")
    hook = f"{portal_server}{schedule_hook(subscription)}"
    for _ in range(2):
        assert requests.post(hook, data={"id": collection["id"]}, timeout=20).status_code == 200
    reconcile(app)
    assert chargeback_charges() == [Decimal("5.00")]
    assert db.session.scalars(select(Chargeback)).one().reason == "AM04 Insufficient funds"
    mail = chargeback_mails()
    assert len(mail) == 1 and "5,00" in text_of(mail[0])
    link = re.search(r"https?://[^/\s]+(/betalen/\S+)", text_of(mail[0]))[1]
    page = client.get(link)
    pay = client.post(link, data={"csrf_token": csrf_token(page)})
    client.get(checkout(pay.location, "paid"))
    settled = the_subscription()
    assert (settled.status, settled.end_date) == ("normal", paid_end)
    assert ledger.balance(db.session, settled.patron_id) == 0


def test_a_partial_chargeback_of_a_collection_asks_only_what_was_taken_back(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    _, collection = collected(client, mollie_sandbox)
    mollie_sandbox.charge_back(collection["id"], "2.00")
    assert the_subscription().status == "invoiced"
    assert chargeback_charges() == [Decimal("2.00")]
    link = re.search(r"https?://[^/\s]+(/betalen/\S+)", text_of(chargeback_mails()[0]))[1]
    page = client.get(link).get_data(as_text=True)
    assert "2,00" in page and "5,00" not in page


def test_two_chargebacks_in_one_webhook_are_each_charged_once(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    payment = signed_up(client)
    mollie_sandbox.charge_back(payment.provider_id, "20.00", webhook=False)
    mollie_sandbox.charge_back(payment.provider_id, "8.00", webhook=False)
    for _ in range(2):
        assert (
            client.post(payment_hook(payment), data={"id": payment.provider_id}).status_code == 200
        )
    reconcile(app)
    assert chargeback_charges() == [Decimal("8.00"), Decimal("20.00")]
    assert db.session.get_one(Payment, payment.id).amount_charged_back == Decimal("28.00")
    assert len(chargeback_mails()) == 1
    listed = recent_chargebacks(db.session, payment.created_at)
    assert len(listed) == 2
    assert recent_chargebacks(db.session, payment.created_at, limit=1) == listed[:1]


def test_a_charged_back_signup_payment_leaves_the_first_period_unpaid_until_paid(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    before = the_subscription()
    mollie_sandbox.charge_back(payment.provider_id)
    after = the_subscription()
    assert (after.status, after.end_date) == ("invoiced", before.end_date)
    assert ledger.balance(db.session, after.patron_id) == Decimal("58.00")
    for _ in range(2):
        assert (
            client.post(payment_hook(payment), data={"id": payment.provider_id}).status_code == 200
        )
    reconcile(app)
    assert chargeback_charges() == [Decimal("58.00")]
    text = text_of(chargeback_mails()[0])
    link = re.search(r"https?://[^/\s]+(/betalen/\S+)", text)[1]
    page = client.get(link)
    assert "58,00" in page.get_data(as_text=True)
    assert "bank heeft de betaling voor deze periode teruggeboekt" in page.get_data(as_text=True)
    pay = client.post(link, data={"csrf_token": csrf_token(page)})
    client.get(checkout(pay.location, "paid"))
    settled = the_subscription()
    assert (settled.status, settled.end_date) == ("normal", before.end_date)
    assert ledger.balance(db.session, settled.patron_id) == 0


def kiosk_with_terminal(app: Flask) -> str:
    """A kiosk with the sandbox's PIN terminal; its token."""
    return register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk1")


def test_a_charged_back_first_direct_debit_payment_is_settled_at_the_kiosk(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client, "0049")
    mollie_sandbox.charge_back(payment.provider_id, reason=LATE_FAILURE)
    assert the_subscription().status == "invoiced"
    patron = db.session.scalars(select(Patron)).one()
    created = kiosk_payment(client, kiosk_with_terminal(app), patron, "pays-storno")
    assert created.status_code == 201, created.json
    assert created.json["amount"] == "5.00"
    terminal = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    mollie_sandbox.set_status(terminal.provider_id, "paid")
    settled = the_subscription()
    assert settled.status == "normal" and settled.paid_by == "direct_debit"
    assert ledger.balance(db.session, patron.id) == 0


def test_credit_that_covers_a_chargeback_asks_the_patron_for_nothing(
    client: FlaskClient, clock: ManualClock, portal_server: str, mollie_sandbox
) -> None:
    _, collection = collected(client, mollie_sandbox)
    patron = db.session.scalars(select(Patron)).one()
    credit = Decimal("10.00")
    ledger.record(
        db.session, patron.id, EntryType.PAYMENT, credit, "Contant", "desk:1", clock.now()
    )
    db.session.commit()
    mollie_sandbox.charge_back(collection["id"])
    assert the_subscription().status == "normal"
    text = text_of(chargeback_mails()[0])
    assert "/betalen/" not in text and "niets" in text


def test_what_the_bank_took_back_cannot_be_refunded_as_well(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    mollie_sandbox.charge_back(payment.provider_id, "40.00")
    runner = app.test_cli_runner()
    too_much = runner.invoke(args=["payments", "refund", payment.reference, "--amount", "20.00"])
    assert too_much.exit_code == 1 and "18.00" in too_much.output
    rest = runner.invoke(args=["payments", "refund", payment.reference])
    assert rest.exit_code == 0 and "18.00 EUR" in rest.output


def test_a_chargeback_whose_webhook_was_lost_is_found_by_reconcile(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    signup = db.session.scalars(select(Payment).where(Payment.sequence_type == "first")).one()
    mollie_sandbox.charge_back(collection["id"], webhook=False)
    mollie_sandbox.charge_back(signup.provider_id, "1.00", webhook=False)
    reconcile(app)
    reconcile(app)
    assert chargeback_charges() == [Decimal("1.00"), Decimal("5.00")]
    assert the_subscription().status == "invoiced"
    assert len(chargeback_mails()) == 2


def test_the_desk_sees_the_chargebacks_with_what_is_owed(
    app: Flask, client: FlaskClient, new_browser, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    mollie_sandbox.charge_back(payment.provider_id, "20.00", reason=LATE_FAILURE)
    desk = desk_session(app, new_browser())
    page = desk.get("/balie/zuilen").get_data(as_text=True)
    number = db.session.scalars(select(Patron)).one().customer_number
    assert number in page and "AM04 Insufficient funds" in page
    assert page.count("20,00") == 2  # taken back, and owed now


def test_the_desk_sees_a_reversed_chargeback_as_reversed_and_nothing_owed(
    app: Flask, client: FlaskClient, new_browser, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    taken = mollie_sandbox.charge_back(payment.provider_id, "20.00")
    mollie_sandbox.advance_clock(3 * 24 * 3600)  # given back three days later
    mollie_sandbox.reverse_chargeback(payment.provider_id, taken["id"])
    desk = desk_session(app, new_browser())
    page = desk.get("/balie/zuilen").get_data(as_text=True)
    reversed_at = the_chargeback().reversed_at
    assert reversed_at is not None
    shown = format_datetime(reversed_at, "short", tzinfo=LOCAL_TZ, locale="nl")
    assert f'data-label="Teruggedraaid door de bank">{shown}<' in page
    assert 'data-label="Nu verschuldigd">€\xa00,00<' in page
    assert (chargeback_charges(), reversal_credits()) == ([Decimal("20.00")], [Decimal("20.00")])


def test_a_reversed_chargeback_of_a_collection_is_credited_once_and_the_period_paid_again(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    paid_end = the_subscription().end_date
    taken = mollie_sandbox.charge_back(collection["id"], reason=LATE_FAILURE)
    assert the_subscription().status == "invoiced"
    mollie_sandbox.advance_clock(7 * 24 * 3600)
    reversal = mollie_sandbox.reverse_chargeback(collection["id"], taken["id"])
    hook = f"{portal_server}{schedule_hook(subscription)}"
    for _ in range(2):
        assert requests.post(hook, data={"id": collection["id"]}, timeout=20).status_code == 200
    reconcile(app)
    after = the_subscription()
    assert (after.status, after.end_date) == ("normal", paid_end)
    assert (chargeback_charges(), reversal_credits()) == ([Decimal("5.00")], [Decimal("5.00")])
    assert ledger.balance(db.session, after.patron_id) == 0
    assert the_chargeback().reversed_at == datetime.fromisoformat(reversal["reversedAt"])
    assert len(chargeback_mails()) == 1  # the chargeback's; a reversal asks nothing of anyone
    assert_ledger_matches_the_sandbox(mollie_sandbox)
    assert_chargebacks_match_the_sandbox(mollie_sandbox)


def test_a_reversal_leaves_the_subscription_invoiced_while_another_period_is_owed(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    taken = mollie_sandbox.charge_back(collection["id"])
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    assert ledger.balance(db.session, subscription.patron_id) == Decimal("10.00")
    mollie_sandbox.reverse_chargeback(collection["id"], taken["id"])
    after = the_subscription()
    assert after.status == "invoiced"
    assert ledger.balance(db.session, after.patron_id) == Decimal("5.00")
    assert_chargebacks_match_the_sandbox(mollie_sandbox)


def test_a_reversal_whose_webhook_was_lost_is_found_by_reconcile(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    signup = db.session.scalars(select(Payment).where(Payment.sequence_type == "first")).one()
    taken = mollie_sandbox.charge_back(collection["id"], webhook=False)
    mollie_sandbox.charge_back(signup.provider_id, "1.00", webhook=False)
    reconcile(app)
    assert the_subscription().status == "invoiced"
    mollie_sandbox.reverse_chargeback(collection["id"], taken["id"], webhook=False)
    reconcile(app)
    reconcile(app)
    assert reversal_credits() == [Decimal("5.00")]
    assert the_subscription().status == "normal"
    assert ledger.balance(db.session, subscription.patron_id) == Decimal("1.00")
    assert_ledger_matches_the_sandbox(mollie_sandbox)
    assert_chargebacks_match_the_sandbox(mollie_sandbox)


def test_a_chargeback_already_reversed_when_first_seen_books_nothing(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    taken = mollie_sandbox.charge_back(collection["id"], webhook=False)
    mollie_sandbox.reverse_chargeback(collection["id"], taken["id"], webhook=False)
    for _ in range(2):
        hook = client.post(schedule_hook(subscription), data={"id": collection["id"]})
        assert hook.status_code == 200
    reconcile(app)
    assert the_chargeback().reversed_at is not None
    assert (chargeback_charges(), reversal_credits(), chargeback_mails()) == ([], [], [])
    assert the_subscription().status == "normal"
    assert ledger.balance(db.session, subscription.patron_id) == 0
    assert_ledger_matches_the_sandbox(mollie_sandbox)
    assert_chargebacks_match_the_sandbox(mollie_sandbox)


def test_a_dashboard_refund_of_a_collection_is_recorded_by_reconcile_once(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    remote = mollie_sandbox.client().payments.get(collection["id"])
    made = remote.refunds.create({"amount": {"currency": "EUR", "value": "5.00"}})
    reconcile(app)
    reconcile(app)
    refund = db.session.scalars(select(Refund)).one()
    assert (refund.provider_id, refund.amount) == (made.id, Decimal("5.00"))
    mollie_sandbox.set_refund_status(made.id, "refunded", webhook=False)
    reconcile(app)
    reconcile(app)
    db.session.expire_all()
    refunds = select(func.count()).where(LedgerEntry.dedupe_key.like("refund:%"))
    assert db.session.scalar(refunds) == 1
    assert ledger.balance(db.session, subscription.patron_id) == Decimal("5.00")


def test_a_dashboard_refund_of_a_collection_is_recorded_by_its_webhook(
    client: FlaskClient, mollie_sandbox
) -> None:
    subscription, collection = collected(client, mollie_sandbox)
    remote = mollie_sandbox.client().payments.get(collection["id"])
    made = remote.refunds.create({"amount": {"currency": "EUR", "value": "2.00"}})
    assert (
        client.post(schedule_hook(subscription), data={"id": collection["id"]}).status_code == 200
    )
    assert db.session.scalars(select(Refund)).one().provider_id == made.id


def test_the_ledger_says_what_was_taken_back_in_the_patrons_language(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    patron = db.session.scalars(select(Patron)).one()
    patron.locale = "en"
    db.session.commit()
    mollie_sandbox.charge_back(payment.provider_id, "5.00")
    line = db.session.scalars(
        select(LedgerEntry.description).where(LedgerEntry.dedupe_key.like("charge:chargeback:%"))
    ).one()
    assert line == f"Chargeback: {payment.description}"


def test_a_period_settled_at_the_kiosk_stays_settled_when_a_later_one_fails(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client, "0049")
    mollie_sandbox.charge_back(payment.provider_id)
    patron = db.session.scalars(select(Patron)).one()
    kiosk_payment(client, kiosk_with_terminal(app), patron, "pays-storno")
    terminal = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    mollie_sandbox.set_status(terminal.provider_id, "paid")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    after = the_subscription()
    assert after.status == "invoiced"
    assert direct_debit.unpaid_periods(db.session, after) == [after.renewal_start]
    assert direct_debit.period_is_settled(db.session, after, after.start_date)


def test_credit_that_covers_a_failed_collection_pays_and_extends_the_period(
    client: FlaskClient, clock: ManualClock, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    credit = Decimal("10.00")
    ledger.record(
        db.session,
        subscription.patron_id,
        EntryType.PAYMENT,
        credit,
        "Contant",
        "desk:1",
        clock.now(),
    )
    db.session.commit()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "failed")
    after = the_subscription()
    assert after.status == "normal"
    assert after.end_date == direct_debit.period_end(after, after.renewal_start)
    assert ledger.balance(db.session, after.patron_id) == Decimal("-5.00")
