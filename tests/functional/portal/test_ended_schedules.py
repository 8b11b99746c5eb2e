"""Schedules and mandates ended at Mollie (no webhook): noticed by reconcile and on a failed
collection's webhook; direct debit ends, the paid period stays, the patron is mailed once."""

import re
from datetime import date
from email import message_from_bytes, policy

import requests
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.mail import OutboxMail
from shared.models.mandate import Mandate
from shared.models.patron import Patron, Subscription
from shared.payments.direct_debit import DAY
from shared.timeutil import add_months
from tests.functional.portal.test_direct_debit import the_subscription, webhook_of
from tests.support.dates import noon_on
from tests.support.signup import checkout, csrf_token, signed_up

ENDED_MAIL = "direct_debit_ended"


def reconcile(app: Flask) -> None:
    """One pass of `payments reconcile`, as housekeeping runs it."""
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output


def ended_mails() -> list[OutboxMail]:
    """The mails telling the patron that direct debit stopped."""
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == ENDED_MAIL)))


def text_of(mail: OutboxMail) -> str:
    """A mail's plain text."""
    message = message_from_bytes(mail.message, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def pay_link(mail: OutboxMail) -> str:
    """The mail's `/betalen/` link, as a path."""
    return re.search(r"https?://[^/\s]+(/betalen/\S+)", text_of(mail))[1]


def week_before_collection(clock: ManualClock, subscription: Subscription) -> None:
    """Three days before the schedule's next collection: when reconcile asks about it."""
    clock.set(noon_on(date.fromordinal(subscription.renewal_start.toordinal() - 3)))


def ended_and_kept(before: Subscription) -> Subscription:
    """Direct debit ended with the paid period and status untouched; the subscription."""
    after = the_subscription()
    assert after.paid_by == "once"
    assert (after.end_date, after.status) == (before.end_date, "normal")
    assert after.renewal_start == before.renewal_start
    assert after.cancelled_at is None
    return after


def noticed_twice(app: Flask, clock: ManualClock, subscription: Subscription) -> OutboxMail:
    """Reconcile twice in the week before the next collection: ended and kept; the one mail."""
    week_before_collection(clock, subscription)
    reconcile(app)
    reconcile(app)
    ended_and_kept(subscription)
    [mail] = ended_mails()
    return mail


def test_a_schedule_suspended_at_mollie_ends_ours_once_and_the_link_pays_the_next_period(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "suspended")
    mail = noticed_twice(app, clock, subscription)
    assert "incasso voor je abonnement Basis (maand-incasso) is gestopt" in text_of(mail)
    link = pay_link(mail)
    page = client.get(link)
    assert page.status_code == 200 and "niet meer via automatische incasso" in page.text
    pay = client.post(link, data={"csrf_token": csrf_token(page)})
    client.get(checkout(pay.location, "paid"))
    after = the_subscription()
    assert after.end_date == add_months(subscription.renewal_start, 1) - date.resolution
    assert after.paid_by == "once"
    reconcile(app)
    assert len(ended_mails()) == 1


def test_a_schedule_cancelled_in_the_dashboard_ends_ours_once(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    noticed_twice(app, clock, subscription)
    number = db.session.scalars(select(Patron)).one().customer_number
    shown = app.test_cli_runner().invoke(args=["direct-debit", "show", number]).output
    assert shown.startswith("no direct debit")


def test_a_mandate_made_invalid_by_the_bank_ends_direct_debit_and_says_so(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mandate = db.session.scalars(select(Mandate)).one()
    mollie_sandbox.invalidate_mandate(mandate.provider_id)
    mail = noticed_twice(app, clock, subscription)
    db.session.expire_all()
    assert db.session.scalars(select(Mandate)).one().status == "invalid"
    assert "Je bank heeft de machtiging" in text_of(mail)


def test_a_running_schedule_is_asked_about_once_a_week_before_its_collection(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    reconcile(app)  # weeks before the collection: not asked
    assert the_subscription().schedule_checked_on is None
    week_before_collection(clock, subscription)
    reconcile(app)
    checked = the_subscription().schedule_checked_on
    assert checked == clock.now().date()
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    reconcile(app)  # asked already this week: not again, so not noticed here
    assert the_subscription().paid_by == "direct_debit"
    assert ended_mails() == []


def test_an_overdue_collection_finds_a_schedule_ended_after_the_weekly_check(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    week_before_collection(clock, subscription)
    reconcile(app)
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    clock.set(noon_on(subscription.renewal_start))
    reconcile(app)
    reconcile(app)
    ended_and_kept(subscription)
    assert len(ended_mails()) == 1


def test_a_failed_collection_notices_the_mandate_the_bank_ended(
    app: Flask, client: FlaskClient, clock: ManualClock, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    failed = mollie_sandbox.charge(subscription.mollie_subscription_id, "failed", webhook=False)
    mollie_sandbox.invalidate_mandate(db.session.scalars(select(Mandate)).one().provider_id)
    hook = webhook_of(subscription, portal_server)
    for _ in range(2):
        assert requests.post(hook, data={"id": failed["id"]}, timeout=20).status_code == 200
    after = the_subscription()
    assert (after.paid_by, after.status) == ("once", "invoiced")
    assert after.end_date == subscription.end_date
    [mail] = ended_mails()
    failed_mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "direct_debit_failed")
    ).one()
    assert pay_link(mail) == pay_link(failed_mail)  # both pay the failed period first
    first, then = re.findall(r"https?://[^/\s]+(/betalen/\S+)", text_of(mail))
    assert first != then  # and then the period after it
    through = format_date(add_months(subscription.renewal_start, 1) - DAY, "long", locale="nl")
    assert f"loopt je abonnement tot en met {through}" in text_of(mail)  # once it is paid
    clock.set(noon_on(subscription.renewal_start))
    reconcile(app)
    assert len(ended_mails()) == 1


def test_a_collection_reported_after_the_end_counts_and_changes_nothing_else(
    app: Flask, client: FlaskClient, clock: ManualClock, portal_server: str, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    collected = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    week_before_collection(clock, subscription)
    reconcile(app)  # the schedule's collections are recorded before it ends
    paid_through = add_months(subscription.renewal_start, 1) - date.resolution
    hook = webhook_of(subscription, portal_server)
    for _ in range(2):
        assert requests.post(hook, data={"id": collected["id"]}, timeout=20).status_code == 200
    after = the_subscription()
    assert (after.end_date, after.paid_by, after.status) == (paid_through, "once", "normal")
    assert len(ended_mails()) == 1
    next_period = client.get(pay_link(ended_mails()[0])).text  # the one after the paid one
    assert "Betaal €\xa05,00 met iDEAL" in next_period


def test_a_cancelled_schedule_with_our_metadata_is_never_taken_up_again(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    first = subscription.mollie_subscription_id
    mollie_sandbox.end_subscription(first, "canceled")
    subscription.mollie_subscription_id = None  # as after a crash before our commit
    db.session.commit()
    reconcile(app)
    reconcile(app)
    started = the_subscription().mollie_subscription_id
    assert started not in (None, first)
    customer = mollie_sandbox.client().customers.get(subscription.patron.mollie_customer_id)
    assert customer.subscriptions.get(started).status == "active"
    assert len(list(mollie_sandbox.client().subscriptions.list())) == 2


def test_revoking_stays_ours_and_is_not_reported_as_ended_at_mollie(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    number = db.session.scalars(select(Patron)).one().customer_number
    revoke = ["direct-debit", "revoke", number, "--reason", "te_duur"]
    result = app.test_cli_runner().invoke(args=revoke)
    assert result.exit_code == 0, result.output
    week_before_collection(clock, subscription)
    reconcile(app)
    after = the_subscription()
    assert (after.status, after.paid_by, after.end_date) == (
        "cancelled",
        "direct_debit",
        subscription.end_date,
    )
    assert ended_mails() == []


def test_a_collection_whose_webhook_was_lost_is_recorded_before_the_schedule_ends(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    week_before_collection(clock, subscription)  # the weekly check, before it is overdue
    reconcile(app)
    paid_through = add_months(subscription.renewal_start, 1) - date.resolution
    after = the_subscription()
    assert (after.paid_by, after.end_date) == ("once", paid_through)
    [mail] = ended_mails()
    assert paid_through.strftime("%-d") in text_of(mail)


def test_a_period_still_being_collected_is_not_offered_to_pay_again(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge(subscription.mollie_subscription_id, "pending", webhook=False)
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    clock.set(noon_on(subscription.renewal_start))
    reconcile(app)
    [mail] = ended_mails()
    page = client.get(pay_link(mail))
    assert page.status_code == 409
    assert "nog via automatische incasso afgeschreven" in page.get_data(as_text=True)


def test_a_schedule_mollie_will_not_report_waits_its_turn_like_the_others(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox
) -> None:
    signed_up(client, "0049")
    subscription = the_subscription()
    week_before_collection(clock, subscription)
    mollie_sandbox.inject_fault("error_500", count=20)
    reconcile(app)  # every call of the pass fails; each step is logged and skipped
    mollie_sandbox.clear_faults()
    assert the_subscription().schedule_checked_on == clock.today()


def test_the_ended_mail_asks_first_for_a_period_the_bank_took_back(
    app: Flask, client: FlaskClient, clock: ManualClock, portal_server: str, mollie_sandbox
) -> None:
    first = signed_up(client, "0049")
    subscription = the_subscription()
    mollie_sandbox.charge_back(first.provider_id)
    assert the_subscription().status == "invoiced"
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "suspended")
    week_before_collection(clock, subscription)
    reconcile(app)
    text = text_of(ended_mails()[0])
    assert "De periode vanaf" in text and "nog niet betaald" in text
    assert "Wat je hebt betaald" not in text
    first_period, next_period = re.findall(r"https?://[^/\s]+(/betalen/\S+)", text)
    assert "teruggeboekt" in client.get(first_period).text
    assert "niet meer via automatische incasso" in client.get(next_period).text
