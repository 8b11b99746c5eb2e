"""Chaos: hundreds of webhooks, duplicated, reordered, forged and unknown, with Mollie failing in
between, then chargebacks, some of them reversed, a schedule suspended at Mollie and a checkout
left to expire; the ledger must end equal to what the sandbox says was paid and taken back, each
activation, each chargeback, each reversal and each ended schedule once."""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.ledger import LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.timeutil import add_months
from tests.support.dates import noon_on
from tests.support.ledger_checks import (
    assert_chargebacks_match_the_sandbox,
    assert_ledger_matches_the_sandbox,
)
from tests.support.signup import account_data, start_payment, walk_to_review

SEED = 20261125
SIGNUPS = [
    ("0049", None),
    ("0049", None),
    ("0045", "direct_debit"),
    ("0045", None),
    ("0053", None),
    ("0141", None),
    ("0091", None),
    ("0045", None),
]
COLLECTIONS_PER_SCHEDULE = 5
CHARGEBACK_SHARE = 0.3  # of the paid payments, some only in part
REVERSAL_SHARE = 0.5  # of the chargebacks, given back by the bank after all
CHECKOUT_EXPIRY_SECONDS = 15 * 60 + 1
FAULTS = [("error_500", 0.0), ("not_json", 0.0), ("delay", 1.2)]


def sign_up_without_webhooks(new_browser, sandbox, rng: random.Random) -> list[Payment]:
    """Every signup up to a settled checkout at the sandbox; no webhook delivered, no return."""
    for n, (code, plan) in enumerate(SIGNUPS):
        client: FlaskClient = new_browser()
        account = account_data(username=f"chaos{n}", email=f"chaos{n}@example.nl")
        walk_to_review(client, code, account=account, payment_plan=plan)
        start_payment(client)
        if rng.random() < 0.3:  # a failed first attempt, then a paid one
            failed = _latest_payment()
            sandbox.set_status(failed.provider_id, "failed", webhook=False)
            start_payment(client)
        sandbox.set_status(_latest_payment().provider_id, "paid", webhook=False)
    return list(db.session.scalars(select(Payment)))


def _latest_payment() -> Payment:
    """The newest payment row."""
    db.session.expire_all()
    return db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()


def payment_hooks(server: str, payments: list[Payment]) -> list[tuple[str, dict[str, str]]]:
    """The webhook Mollie would post for each payment, plus forged and unknown ones."""
    hooks = []
    for payment in payments:
        url = f"{server}/betalingen/webhook/{payment.reference}"
        hooks.append((f"{url}/{payment.webhook_secret}", {"id": payment.provider_id}))
        hooks.append((f"{url}/forged-secret", {"id": payment.provider_id}))
    hooks += [
        (f"{server}/betalingen/webhook/nope{n}/x", {"id": f"tr_unknown{n}"}) for n in range(40)
    ]
    return hooks


def collect(sandbox, rng: random.Random, server: str) -> list[tuple[str, dict[str, str]]]:
    """Run each direct-debit schedule several times (mostly paid); their webhooks, unsent."""
    hooks = []
    for subscription in db.session.scalars(
        select(Subscription).where(Subscription.paid_by == "direct_debit")
    ):
        assert subscription.mollie_subscription_id, "schedules are started before collections"
        url = schedule_webhook(subscription, server)
        for _ in range(COLLECTIONS_PER_SCHEDULE):
            status = "paid" if rng.random() < 0.8 else "failed"
            charged = sandbox.charge(subscription.mollie_subscription_id, status, webhook=False)
            hooks.append((url, {"id": charged["id"]}))
        hooks.append((url, {"id": "tr_notthisone"}))
    return hooks


Hook = tuple[str, dict[str, str]]


def deliver(hooks: list[Hook], sandbox, rng: random.Random) -> tuple[list[Hook], list[Hook]]:
    """Post duplicated, shuffled webhooks, four at a time, with faults in between; the ones
    that did not answer 200 are for Mollie to retry."""
    sequence = [hook for hook in hooks for _ in range(rng.randint(2, 6))]
    rng.shuffle(sequence)
    faults = [rng.choice(FAULTS) if rng.random() < 0.1 else None for _ in sequence]

    def post(hook: Hook, fault: tuple[str, float] | None) -> int:
        if fault is not None:
            sandbox.inject_fault(fault[0], count=2, delay_seconds=fault[1])
        return requests.post(hook[0], data=hook[1], timeout=30).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, sequence, faults))
    sandbox.clear_faults()
    assert set(answers) <= {200, 403, 503}
    return sequence, [hook for hook, answer in zip(sequence, answers, strict=True) if answer == 503]


def charge_back(sandbox, rng: random.Random, server: str) -> list[Hook]:
    """Banks take back some paid payments, a few only in part; the webhooks Mollie would send."""
    hooks = []
    for payment in db.session.scalars(select(Payment).where(Payment.status == "paid")).all():
        if rng.random() >= CHARGEBACK_SHARE:
            continue
        part = f"{payment.amount / 2:.2f}" if rng.random() < 0.3 else None
        sandbox.charge_back(payment.provider_id, part, webhook=False)
        hooks.append((webhook_url(payment, server), {"id": payment.provider_id}))
    return hooks


def reverse_some(sandbox, rng: random.Random, server: str) -> list[Hook]:
    """Banks give back some of what they took; the webhooks Mollie would send for it."""
    hooks = []
    for chargeback in sandbox.client().chargebacks.list():
        if rng.random() >= REVERSAL_SHARE:
            continue
        sandbox.reverse_chargeback(chargeback.payment_id, chargeback.id, webhook=False)
        query = select(Payment).where(Payment.provider_id == chargeback.payment_id)
        payment = db.session.scalars(query).one()
        hooks.append((webhook_url(payment, server), {"id": payment.provider_id}))
    return hooks


def webhook_url(payment: Payment, server: str) -> str:
    """Where Mollie reports a payment: its schedule's webhook for a collection, else its own."""
    if payment.sequence_type == "recurring":
        return schedule_webhook(db.session.get_one(Subscription, payment.subscription_id), server)
    return f"{server}/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"


def schedule_webhook(subscription: Subscription, server: str) -> str:
    """The webhook of a direct-debit schedule's collections."""
    return f"{server}/betalingen/webhook/incasso/{subscription.id}/{subscription.webhook_secret}"


def suspend_the_schedules(app: Flask, sandbox, clock: ManualClock) -> int:
    """Mollie suspends every schedule (no webhook); reconcile finds each the week before its
    next collection, twice over. How many there were."""
    schedules = select(Subscription).where(Subscription.paid_by == "direct_debit")
    running = db.session.scalars(schedules).all()
    for subscription in running:
        sandbox.end_subscription(subscription.mollie_subscription_id, "suspended")
    for end in sorted({subscription.end_date for subscription in running}):
        clock.set(noon_on(end - timedelta(days=3)))
        for _ in range(2):
            reconcile(app)
    return len(running)


def leave_a_checkout_to_expire(new_browser, sandbox) -> Payment:
    """One more signup whose patron walks away from the checkout, until Mollie expires it."""
    client: FlaskClient = new_browser()
    walk_to_review(client, "0053", account=account_data(username="weg", email="weg@example.nl"))
    start_payment(client)
    sandbox.advance_clock(CHECKOUT_EXPIRY_SECONDS)  # the expiry webhook reaches the portal
    return _latest_payment()


def reconcile(app: Flask) -> None:
    """One pass of `payments reconcile`; it must finish."""
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output


def retry(hooks: list[Hook]) -> None:
    """Mollie's retries, now that it answers again: every one must be accepted."""
    for url, form in hooks:
        assert requests.post(url, data=form, timeout=30).status_code == 200


def test_chaos_of_webhooks_ends_with_an_exact_ledger(
    app: Flask, new_browser, portal_server: str, mollie_sandbox, clock: ManualClock
) -> None:
    app.config["MOLLIE_TIMEOUT"] = "0.5"
    rng = random.Random(SEED)
    payments = sign_up_without_webhooks(new_browser, mollie_sandbox, rng)
    sent, failed = deliver(payment_hooks(portal_server, payments), mollie_sandbox, rng)
    retry(failed)
    db.session.expire_all()
    assert_ledger_matches_the_sandbox(mollie_sandbox)  # webhooks alone, no reconciliation
    app.test_cli_runner().invoke(args=["payments", "reconcile"])  # starts schedules a fault hit
    more, failed = deliver(collect(mollie_sandbox, rng, portal_server), mollie_sandbox, rng)
    retry(failed)
    assert len(sent) + len(more) >= 200, "hundreds of webhooks"
    db.session.expire_all()
    assert_ledger_matches_the_sandbox(mollie_sandbox)
    assert_activated_and_extended_once(mollie_sandbox)
    taken, failed = deliver(charge_back(mollie_sandbox, rng, portal_server), mollie_sandbox, rng)
    retry(failed)
    reconcile(app)
    given_back, failed = deliver(
        reverse_some(mollie_sandbox, rng, portal_server), mollie_sandbox, rng
    )
    retry(failed)
    suspended = suspend_the_schedules(app, mollie_sandbox, clock)
    walked_away = leave_a_checkout_to_expire(new_browser, mollie_sandbox)
    db.session.expire_all()
    assert taken and given_back, "chargebacks, some reversed"
    assert_ledger_matches_the_sandbox(mollie_sandbox)
    assert_charged_back_once(mollie_sandbox)
    assert_chargebacks_match_the_sandbox(mollie_sandbox)
    assert_schedules_ended_once(suspended)
    assert walked_away.status == "expired"


def assert_charged_back_once(sandbox) -> None:
    """Every chargeback at the sandbox is one charge on the ledger, of its amount, and one mail."""
    chargebacks = {c.id: Decimal(c.amount["value"]) for c in sandbox.client().chargebacks.list()}
    booked = db.session.execute(
        select(LedgerEntry.dedupe_key, LedgerEntry.amount).where(
            LedgerEntry.dedupe_key.like("charge:chargeback:%")
        )
    ).all()
    assert {key.removeprefix("charge:chargeback:"): amount for key, amount in booked} == chargebacks
    assert len(booked) == len(chargebacks)
    mails = select(func.count()).where(OutboxMail.kind == "chargeback")
    assert db.session.scalar(mails) == len(chargebacks)  # one chargeback per payment here


def assert_schedules_ended_once(suspended: int) -> None:
    """No schedule runs any more, each patron told once."""
    direct_debit = select(func.count()).where(Subscription.paid_by == "direct_debit")
    assert db.session.scalar(direct_debit) == 0
    ended = select(func.count()).where(OutboxMail.kind == "direct_debit_ended")
    assert suspended and db.session.scalar(ended) == suspended


def assert_activated_and_extended_once(sandbox) -> None:
    """One patron and one welcome mail per signup; each schedule's end is its last paid period."""
    assert db.session.scalar(select(func.count()).select_from(Patron)) == len(SIGNUPS)
    welcome = select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == "welcome")
    assert db.session.scalar(welcome) == len(SIGNUPS)
    for subscription in db.session.scalars(
        select(Subscription).where(Subscription.paid_by == "direct_debit")
    ):
        collections = [
            p
            for p in sandbox.payments()
            if p.get("subscriptionId") == subscription.mollie_subscription_id
        ]
        paid_periods = [
            n for n, p in enumerate(reversed(collections), start=1) if p["status"] == "paid"
        ]
        term = subscription.type.term_months
        ends = add_months(subscription.renewal_start, max(paid_periods, default=0) * term)
        assert subscription.end_date == ends - timedelta(days=1)
        periods = (
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.subscription_id == subscription.id, LedgerEntry.entry_type == "charge"
            )
        )
        assert db.session.scalar(periods) == 1 + COLLECTIONS_PER_SCHEDULE
