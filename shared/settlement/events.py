"""What a payment's new status sets in motion, whoever noticed it (webhook, return page, job)."""

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from shared.db import commits_own_work
from shared.mail.patron_mail import pay_link, payment_mail_address, queue_mail
from shared.mail.settings import MailSettings
from shared.models.patron import PaymentPlan, Subscription
from shared.models.payment import Payment, PaymentPurpose, PaymentStatus, SequenceType
from shared.models.registration import Registration
from shared.payments import direct_debit, ledger
from shared.payments.chargebacks import chargebacks_may_have_changed
from shared.payments.provider import PaymentProvider, ProviderPayment
from shared.payments.refunds import sync_refunds, unsettled_refunds
from shared.payments.service import apply_status, refresh_payment_committing
from shared.settlement.changes import change_paid
from shared.settlement.chargebacks import charge_back
from shared.signup.activation import activate_registration

log = logging.getLogger(__name__)


@commits_own_work
def process_payment_committing(
    session: Session,
    payment: Payment,
    provider: PaymentProvider,
    mail: MailSettings,
    now: datetime,
    check_refunds: bool = False,
) -> None:
    """Fetch the status and act on a change; refunds too when asked or some are unsettled, and
    chargebacks (and their reversals) when asked (a paid payment's webhook reports either).
    Commits before acting (see `refresh_payment_committing`); the caller commits the rest."""
    act_on(session, payment, refresh_payment_committing(session, payment, provider, now), mail, now)
    if payment.status != PaymentStatus.PAID or payment.provider_id is None:
        return
    if check_refunds or unsettled_refunds(session, payment.id):
        sync_refunds(session, payment, provider, now)
    if check_refunds:
        charge_back(session, payment, provider.list_chargebacks(payment.provider_id), mail, now)


@commits_own_work
def process_schedule_payment_committing(
    session: Session,
    subscription: Subscription,
    remote: ProviderPayment,
    mail: MailSettings,
    provider: PaymentProvider,
    now: datetime,
) -> Payment:
    """A collection the provider's schedule reported: record it once and commit that (so a
    concurrent report finds the row), then act on its status; the caller commits the rest."""
    payment = direct_debit.record_schedule_payment(session, subscription, remote, now)
    session.commit()
    act_on(session, payment, apply_status(session, payment, remote, now), mail, now)
    # What the provider reports refunded or charged back, compared with what we hold, tells
    # whether a refund (also one made in the dashboard), a chargeback or its reversal is new.
    if remote.amount_refunded != payment.amount_refunded or unsettled_refunds(session, payment.id):
        sync_refunds(session, payment, provider, now)
    if chargebacks_may_have_changed(session, payment, remote.amount_charged_back):
        charge_back(session, payment, provider.list_chargebacks(remote.id), mail, now)
    return payment


def act_on(
    session: Session,
    payment: Payment,
    moved_to: PaymentStatus | None,
    mail: MailSettings,
    now: datetime,
) -> None:
    """Dispatch a status change to what the payment was for; nothing when nothing changed."""
    if moved_to == PaymentStatus.PAID:
        PAID_ACTIONS[payment.purpose](session, payment, mail, now)
    elif (
        moved_to is not None
        and moved_to.is_final
        and payment.sequence_type == SequenceType.RECURRING
    ):
        _collection_failed(session, payment, mail, now)


def _registration_paid(
    session: Session, payment: Payment, mail: MailSettings, now: datetime
) -> None:
    """The first payment of a signup: the registration becomes a patron."""
    registration = session.get(Registration, payment.registration_id or 0)
    if registration is not None:
        activate_registration(session, registration, payment, mail, now)


def _period_paid(session: Session, payment: Payment, _mail: MailSettings, now: datetime) -> None:
    """A renewal period paid, by direct debit or by iDEAL after a failed collection."""
    direct_debit.period_paid(session, payment, now)


def _balance_paid(session: Session, payment: Payment, _mail: MailSettings, now: datetime) -> None:
    """Money towards what the patron owes (at the kiosk's terminal), settling failed periods."""
    ledger.record_payment(session, payment, now)
    direct_debit.settle_owed_periods(session, payment.patron_id or 0)


def _change_paid(session: Session, payment: Payment, _mail: MailSettings, now: datetime) -> None:
    """The first payment of a change to direct debit: the change is planned."""
    change_paid(session, payment, now)


PaidAction = Callable[[Session, Payment, MailSettings, datetime], None]
PAID_ACTIONS: dict[PaymentPurpose, PaidAction] = {
    PaymentPurpose.REGISTRATION: _registration_paid,
    PaymentPurpose.PERIOD: _period_paid,
    PaymentPurpose.BALANCE: _balance_paid,
    PaymentPurpose.CHANGE: _change_paid,
}


def _collection_failed(
    session: Session, payment: Payment, mail: MailSettings, now: datetime
) -> None:
    """A direct debit failed: mark the period owed and offer the patron iDEAL instead."""
    if not direct_debit.period_failed(session, payment, now):
        return
    subscription = session.get_one(Subscription, payment.subscription_id)
    patron = subscription.patron
    assert payment.period_start is not None
    url = pay_link(mail, subscription.id, payment.period_start, now)
    context = {"subscription": subscription, "payment": payment, "url": url}
    to = payment_mail_address(patron)
    key = f"direct_debit_failed:payment:{payment.id}"
    queue_mail(session, mail, "direct_debit_failed", to, patron, context, now, key=key)
    log.warning("direct debit %s failed for subscription %s", payment.reference, subscription.id)


def schedule_to_start(session: Session, payment: Payment) -> Subscription | None:
    """The direct-debit subscription this paid first payment still has to start, if any."""
    if payment.status != PaymentStatus.PAID or payment.subscription_id is None:
        return None
    subscription = session.get_one(Subscription, payment.subscription_id)
    waiting = subscription.paid_by == PaymentPlan.DIRECT_DEBIT
    return subscription if waiting and subscription.mollie_subscription_id is None else None
