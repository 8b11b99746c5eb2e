"""Bringing payments up to date with the provider: for the webhook, return pages and the job."""

import logging
from collections.abc import Callable
from functools import partial

from portal.extensions import db
from portal.wiring import key_alarm, mail_settings, now, payment_provider, schedule_webhook_url
from shared.models.patron import Patron, PaymentPlan, Subscription
from shared.models.payment import Payment
from shared.payments.chargebacks import WINDOW, news_by_payment, payments_by_provider_id
from shared.payments.direct_debit import start_schedule
from shared.payments.due_collections import collections_to_check, schedules_to_start
from shared.payments.ended_schedules import schedule_has_ended, schedules_to_check
from shared.payments.provider import (
    PaymentProviderError,
    PaymentRefused,
    ProviderChargeback,
    ProviderUnauthorized,
)
from shared.payments.refunds import (
    payments_with_unknown_refunds,
    sync_refunds,
    unsettled_refunds,
)
from shared.payments.service import unfinished_payments
from shared.settlement.chargebacks import charge_back
from shared.settlement.ended_schedules import end_and_tell, still_collected
from shared.settlement.events import (
    process_payment_committing,
    process_schedule_payment_committing,
    schedule_to_start,
)
from shared.timeutil import local_today

log = logging.getLogger(__name__)


def settle(payment: Payment, check_refunds: bool = False) -> bool:
    """Fetch the status, act on it and commit; False (nothing written) when the provider fails."""
    try:
        provider = payment_provider()
        mail = mail_settings()
        process_payment_committing(db.session(), payment, provider, mail, now(), check_refunds)
        db.session.commit()
    except PaymentRefused as error:
        db.session.rollback()
        log.error("payment %s: the provider refuses to report it: %s", payment.reference, error)
        return True  # asking again will not help
    except PaymentProviderError as error:
        db.session.rollback()
        report_failure(error, "payment %s: status could not be fetched: %s", payment.reference)
        return False
    subscription = schedule_to_start(db.session(), payment)
    if subscription is not None:
        start_direct_debit(subscription)
    return True


def start_direct_debit(subscription: Subscription) -> bool:
    """Start the provider's schedule after the commit; reconciliation retries a failure."""
    try:
        start_schedule(db.session(), subscription, payment_provider(), schedule_webhook_url, now())
        db.session.commit()
    except PaymentProviderError as error:
        db.session.rollback()
        report_failure(error, "subscription %s: direct debit not started yet: %s", subscription.id)
        return False
    return True


def start_direct_debits_of(patron: Patron) -> None:
    """Start at once the schedules the patron's direct debits lack (a change made one: the
    commit came first); what fails, reconciliation starts."""
    for subscription in patron.subscriptions:
        waiting = subscription.paid_by == PaymentPlan.DIRECT_DEBIT and (
            subscription.mollie_subscription_id is None and subscription.cancelled_at is None
        )
        if waiting:
            start_direct_debit(subscription)


def reconcile() -> int:
    """Every pass of reconciliation; returns how many payments were brought up to date.

    Each step commits on its own, and one record that fails, for whatever reason, is logged
    and skipped until the next pass instead of stopping the others. While Mollie refuses the
    key, a pass asks nothing (but for the try of the key that is due now and then)."""
    if key_alarm().holds():
        return 0
    payments = unfinished_payments(db.session())
    done = sum(_guarded(f"payment {p.reference}", partial(settle, p)) for p in payments)
    for refund in unsettled_refunds(db.session()):
        _guarded(f"refund {refund.id}", partial(_sync_refunds_of, refund.payment_id))
    today = local_today(now())
    for subscription in schedules_to_start(db.session()):
        _guarded(f"subscription {subscription.id}", partial(start_direct_debit, subscription))
    for subscription in collections_to_check(db.session(), today):
        _guarded(f"subscription {subscription.id}", partial(_collections, subscription))
    for subscription in schedules_to_check(db.session(), today):
        _guarded(f"schedule of {subscription.id}", partial(check_direct_debit, subscription))
    _guarded("the account's chargebacks", _chargebacks)
    _guarded("the account's refunds", _refunds)
    return done


def _chargebacks() -> bool:
    """Record the account's recent chargebacks, and reversals of them, that no webhook brought,
    each payment on its own."""
    reported = payment_provider().recent_chargebacks(now() - WINDOW)
    news = news_by_payment(db.session(), reported)
    for payment in payments_by_provider_id(db.session(), news):
        found = news[payment.provider_id or ""]
        _guarded(f"chargebacks of {payment.reference}", partial(_charge_back, payment.id, found))
    return True


def _charge_back(payment_id: int, found: list[ProviderChargeback]) -> bool:
    """Record one payment's chargebacks and their reversals, and act on them."""
    payment = db.session.get_one(Payment, payment_id)
    charge_back(db.session(), payment, found, mail_settings(), now())
    return True


def _refunds() -> bool:
    """Record the account's recent refunds made outside OpenBalie (in the dashboard, also of
    direct-debit collections), each payment on its own."""
    reported = payment_provider().recent_refunds(now() - WINDOW)
    unknown = payments_with_unknown_refunds(db.session(), reported)
    for payment in payments_by_provider_id(db.session(), unknown):
        _guarded(f"refunds of {payment.reference}", partial(_sync_refunds_of, payment.id))
    return True


def check_direct_debit(subscription: Subscription) -> bool:
    """Ask whether the provider still runs the schedule (Mollie ends one without a webhook); an
    ended one has every collection it made recorded first (a lost webhook's too: reconcile no
    longer follows it), then it ends, once."""
    if not still_collected(subscription):
        return True
    provider, today = payment_provider(), local_today(now())
    try:
        ended = schedule_has_ended(db.session(), subscription, provider, today)
    except PaymentProviderError:
        # Asked about this week all the same: one schedule Mollie never reports must not keep
        # the others (a pass asks about the soonest few) from their turn.
        db.session.rollback()
        subscription.schedule_checked_on = today
        db.session.commit()
        raise
    db.session.commit()
    if ended:
        _record_collections(subscription)
        end_and_tell(db.session(), subscription, mail_settings(), now())
        db.session.commit()
    return True


def _sync_refunds_of(payment_id: int) -> bool:
    """Bring one payment's refunds up to date."""
    payment = db.session.get_one(Payment, payment_id)
    sync_refunds(db.session(), payment, payment_provider(), now())
    return True


def _collections(subscription: Subscription) -> bool:
    """Record every collection of the schedule, in case its webhook never arrived; one overdue
    may mean the schedule was ended (asked once a day)."""
    _record_collections(subscription)
    if subscription.schedule_checked_on != local_today(now()):
        check_direct_debit(subscription)
    return True


def _record_collections(subscription: Subscription) -> None:
    """Record every collection the schedule made, each on its own, as its webhook would."""
    provider = payment_provider()
    customer = subscription.patron.mollie_customer_id or ""
    remote_id = subscription.mollie_subscription_id or ""
    for remote in provider.subscription_payments(customer, remote_id):
        process_schedule_payment_committing(
            db.session(), subscription, remote, mail_settings(), provider, now()
        )
        db.session.commit()


def _guarded(what: str, step: Callable[[], bool]) -> bool:
    """Run one reconciliation step and commit; any failure skips it until the next pass."""
    try:
        done = step()
        db.session.commit()
    except PaymentProviderError as error:
        db.session.rollback()
        report_failure(error, "reconcile %s: %s", what)
        return False
    except Exception:
        db.session.rollback()
        log.exception("reconcile %s failed; the other records go on", what)
        return False
    return done


def report_failure(error: PaymentProviderError, message: str, *subject: object) -> None:
    """Log a provider failure about a subject; a refused key is not logged again here, its
    alarm was (once, for every process)."""
    if not isinstance(error, ProviderUnauthorized):
        log.error(message, *subject, error)
