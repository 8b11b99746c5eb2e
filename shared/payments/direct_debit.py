"""Direct debit (*automatische incasso*): the mandate, the provider's schedule and each period."""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore, lock_row
from shared.errors import DomainError
from shared.models.ledger import LedgerEntry
from shared.models.mandate import Mandate, MandateStatus
from shared.models.patron import (
    REFUSED_STATUSES,
    Patron,
    PaymentPlan,
    Subscription,
    SubscriptionStatus,
)
from shared.models.payment import (
    UNPAID_ENDS,
    Chargeback,
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    SequenceType,
)
from shared.patrons.status import cancel, move_from
from shared.payments import ledger
from shared.payments.chargebacks import chargeback_key
from shared.payments.provider import (
    PaymentProvider,
    PaymentRefused,
    ProviderPayment,
    ProviderSubscription,
    SubscriptionRequest,
)
from shared.payments.service import PaymentUrls, new_payment, reusable_payment, submit_payment
from shared.timeutil import add_months, local_today
from shared.translation import N_, in_language

log = logging.getLogger(__name__)
DAY = timedelta(days=1)
UNFINISHED = [status for status in PaymentStatus if not status.is_final]
WITHDRAWN = N_("Not charged after all (cancelled): %(period)s")  # a withdrawn period's line
# A payment that left its period unpaid: a collection that failed, or any payment of a period
# (the first one at signup too) that a bank took (some of) back.
LEFT_UNPAID = or_(
    and_(Payment.sequence_type == SequenceType.RECURRING, Payment.status.in_(UNPAID_ENDS)),
    Payment.amount_charged_back > 0,
)


def period_start_for(subscription: Subscription, due: date) -> date:
    """The renewal period a collection due on `due` pays for (the nearest scheduled start)."""
    anchor, term = _anchor(subscription), subscription.type.term_months or 1
    months = (due.year - anchor.year) * 12 + due.month - anchor.month
    months += (due.day - anchor.day > 15) - (anchor.day - due.day > 15)
    return add_months(anchor, max(0, round(months / term)) * term, _period_day(subscription))


def period_end(subscription: Subscription, start: date) -> date:
    """The last day of the renewal period that starts on `start`."""
    anchor, term = _anchor(subscription), subscription.type.term_months or 1
    index = ((start.year - anchor.year) * 12 + start.month - anchor.month) // term
    return add_months(anchor, (index + 1) * term, _period_day(subscription)) - DAY


def latest_scheduled_start(subscription: Subscription, today: date) -> date | None:
    """The last day on or before `today` that the schedule collects on; None before the first."""
    anchor, term = _anchor(subscription), subscription.type.term_months or 1
    if today < anchor:
        return None
    index = ((today.year - anchor.year) * 12 + today.month - anchor.month) // term
    day = _period_day(subscription)
    start = add_months(anchor, index * term, day)
    return start if start <= today else add_months(anchor, (index - 1) * term, day)


def _anchor(subscription: Subscription) -> date:
    """The first renewal's start: the day after the first period (kept once a renewal is paid
    or collected; until then the subscription is in its first period)."""
    return subscription.renewal_start or subscription.end_date + DAY


def _period_day(subscription: Subscription) -> int:
    """The day of the month the renewal periods start on: the first period's own day when the
    anchor is a whole term after it (from 31 January: 28 February, 31 March, 30 April; never
    drifting to the 28th), else the anchor's (the 1st, after a period to a month's end)."""
    start, anchor = subscription.start_date, _anchor(subscription)
    if start is not None and add_months(start, subscription.type.term_months or 1) == anchor:
        return start.day
    return anchor.day


def start_schedule(
    session: Session,
    subscription: Subscription,
    provider: PaymentProvider,
    webhook_url: Callable[[Subscription], str],
    now: datetime,
) -> None:
    """Record the mandate and start the provider's schedule once; safe to repeat. Not while
    the subscription is refused: lifting the refusal starts it."""
    if subscription.mollie_subscription_id or subscription.cancelled_at is not None:
        return
    if subscription.status in REFUSED_STATUSES:
        return
    customer = subscription.patron.mollie_customer_id
    if customer is None:
        log.error("subscription %s: direct debit without a provider customer", subscription.id)
        return
    _record_mandate(session, subscription, provider, now)
    ours = [s for s in provider.list_subscriptions(customer) if _made_for(s, subscription)]
    ended = sum(not s.status.running for s in ours)
    start = _collect_from(session, subscription)
    remote = next((s for s in ours if s.status.running), None) or provider.create_subscription(
        _schedule_request(subscription, customer, webhook_url, ended, start)
    )
    subscription.mollie_subscription_id = remote.id
    session.flush()
    log.info("subscription %s: schedule %s from %s", subscription.id, remote.id, remote.start_date)


def _made_for(schedule: ProviderSubscription, subscription: Subscription) -> bool:
    """Whether a provider schedule carries this subscription's metadata (`start_schedule` takes
    up only one that still runs: one ended at Mollie or by us is never ours again)."""
    return str(schedule.metadata.get("subscription")) == str(subscription.id)


def _collect_from(session: Session, subscription: Subscription) -> date:
    """The first period a schedule collects: the one after the paid end (after the period
    the first payment paid, at the start), or after the last period owed beyond it (charged:
    it is paid by the pay link or at the kiosk, not collected)."""
    start = subscription.end_date + DAY
    for owed in sorted(charged_periods(session, subscription) | _under_way(session, subscription)):
        if owed >= start:
            start = period_end(subscription, owed) + DAY
    return start


def stop_schedule(subscription: Subscription, provider: PaymentProvider) -> None:
    """Collect no more while the subscription is refused: its schedule cancelled at the
    provider. The mandate stays, and so does the schedule's id, so that a collection it made
    before is still recorded when reported."""
    schedule = subscription.mollie_subscription_id
    if schedule and collected(subscription):
        customer = subscription.patron.mollie_customer_id or ""
        _tolerate_gone(lambda: provider.cancel_subscription(customer, schedule))


def resume_schedule(
    session: Session,
    subscription: Subscription,
    provider: PaymentProvider,
    webhook_url: Callable[[Subscription], str],
    now: datetime,
) -> None:
    """The refusal lifted: collect again from the next unpaid period, by a new schedule. The
    periods that started while refused are skipped, but for the one today falls in: the patron
    has it, so it is owed (charged, as a failed collection), and collecting goes on after it."""
    if not collected(subscription) or subscription.mollie_subscription_id is None:
        return
    today = local_today(now)
    current = latest_scheduled_start(subscription, today)
    # A collection of it still under way pays it (or, failing, leaves it owed) by itself.
    if subscription.end_date + DAY < today and current not in _under_way(session, subscription):
        assert current is not None  # today is past the paid end, so past the first renewal
        charge_period(session, subscription, current, now)
        _update_mark(session, subscription)
    subscription.mollie_subscription_id = None
    start_schedule(session, subscription, provider, webhook_url, now)


def collected(subscription: Subscription) -> bool:
    """Whether the subscription is collected by direct debit and not cancelled."""
    return subscription.paid_by == PaymentPlan.DIRECT_DEBIT and subscription.cancelled_at is None


def _schedule_request(
    subscription: Subscription,
    customer: str,
    webhook_url: Callable[[Subscription], str],
    ended: int,
    start: date,
) -> SubscriptionRequest:
    """Collect the price every term from `start`. After `ended` schedules of ours ended, a new
    key: the provider would answer the old one with the ended schedule."""
    key = f"schedule-{subscription.id}" + (f"-{ended + 1}" if ended else "")
    patron = subscription.patron
    name = subscription.type.name(patron.locale)
    return SubscriptionRequest(
        customer_id=customer,
        amount=subscription.price,
        interval_months=subscription.type.term_months or 1,
        start_date=start,
        description=f"{name} {patron.customer_number} #{subscription.id}",
        webhook_url=webhook_url(subscription),
        idempotency_key=key,
        metadata={"subscription": str(subscription.id)},
    )


def _record_mandate(
    session: Session, subscription: Subscription, provider: PaymentProvider, now: datetime
) -> None:
    """Keep the mandate that the subscription's paid first payment created."""
    first = session.scalar(
        select(Payment).where(
            Payment.subscription_id == subscription.id,
            Payment.sequence_type == SequenceType.FIRST,
            Payment.status == PaymentStatus.PAID,
        )
    )
    if first is None or first.provider_id is None:
        return
    remote_payment = provider.get_payment(first.provider_id)
    if remote_payment.mandate_id is None or remote_payment.customer_id is None:
        return
    mandate = provider.get_mandate(remote_payment.customer_id, remote_payment.mandate_id)
    values = {
        "patron_id": subscription.patron_id,
        "provider_id": mandate.id,
        "customer_id": remote_payment.customer_id,
        "iban": mandate.iban,
        "holder_name": mandate.holder_name,
        "bic": mandate.bic,
        "signature_date": mandate.signature_date,
        "status": mandate.status,
        "created_at": now,
    }
    insert_or_ignore(session, Mandate, values)


def record_schedule_payment(
    session: Session, subscription: Subscription, remote: ProviderPayment, now: datetime
) -> Payment:
    """Our row for a collection the provider's schedule made; the same row on every report."""
    values = {
        "idempotency_key": f"mollie-{remote.id}",
        "provider_id": remote.id,
        "patron_id": subscription.patron_id,
        "amount": remote.amount,
        "description": remote.description[:255],
        "method": PaymentMethod.DIRECT_DEBIT,
        "status": PaymentStatus.CREATED,
        "purpose": PaymentPurpose.PERIOD,
        "sequence_type": SequenceType.RECURRING,
        "customer_id": remote.customer_id,
        "subscription_id": subscription.id,
        "period_start": period_start_for(subscription, _due(remote, now)),
        "created_at": now,
        "updated_at": now,
    }
    session.flush()
    insert_or_ignore(session, Payment, values)
    return session.scalars(select(Payment).where(Payment.provider_id == remote.id)).one()


def _due(remote: ProviderPayment, now: datetime) -> date:
    """When a collection was due: its due date, else the day the provider created it."""
    if remote.due_date is not None:
        return remote.due_date
    return local_today(remote.created_at or now)


def period_paid(session: Session, payment: Payment, now: datetime) -> None:
    """A period is paid: extend the subscription to its end, and book it. A cancelled one
    (cancelled, or replaced by a change, while the payment was under way) is never extended:
    money for a period it no longer gets stays credit, as surplus (the desk refunds it)."""
    subscription, start = _subscription_of(session, payment), _start_of(payment)
    if not period_given(subscription, start):
        ledger.record_payment(session, payment, now)
        payment.surplus = True
        log.warning("surplus payment %s: period %s not given", payment.reference, start)
        return
    if subscription.cancelled_at is None:
        extend(session, subscription, start)
    charge_period(session, subscription, start, now)
    ledger.record_payment(session, payment, now)
    _update_mark(session, subscription)


def restore_surplus_periods(session: Session, subscription: Subscription, now: datetime) -> None:
    """A cancellation taken back: the periods paid while it stood (their money kept as surplus
    credit) are the subscription's again, as if paid now."""
    query = select(Payment).where(
        Payment.subscription_id == subscription.id,
        Payment.purpose == PaymentPurpose.PERIOD,
        Payment.status == PaymentStatus.PAID,
        Payment.surplus.is_(True),
    )
    for payment in session.scalars(query).all():
        payment.surplus = False
        period_paid(session, payment, now)


def period_given(subscription: Subscription, start: date) -> bool:
    """Whether the subscription still gets the period from `start`: not after a cancelled
    subscription's end."""
    return subscription.cancelled_at is None or start <= subscription.end_date


def period_failed(session: Session, payment: Payment, now: datetime) -> bool:
    """A period's payment failed or was taken back: owed and marked; True if still to pay."""
    subscription, start = _subscription_of(session, payment), _start_of(payment)
    if period_is_paid(session, subscription.id, start):
        return False
    charge_period(session, subscription, _start_of(payment), now)
    _settle(session, subscription, start)  # credit may cover it
    return not period_is_settled(session, subscription, start)


def settle_owed_periods(session: Session, patron_id: int) -> None:
    """Money towards the balance (at the kiosk): each unpaid period it covers is paid."""
    subscriptions = session.scalars(select(Subscription).where(Subscription.patron_id == patron_id))
    for subscription in subscriptions:
        for start in sorted(_periods_left_unpaid(session, subscription)):
            _settle(session, subscription, start)


def _settle(session: Session, subscription: Subscription, start: date) -> None:
    """A period not run through yet whose charges are covered extends the subscription (one
    it runs through was settled before, or cut short by a cancellation, and a cancelled one
    runs no further: left alone); the mark follows."""
    running = subscription.cancelled_at is None and start > subscription.end_date
    if running and period_is_settled(session, subscription, start):
        extend(session, subscription, start)
    _update_mark(session, subscription)


def payment_restored(session: Session, payment: Payment) -> None:
    """The bank gave back what it took of a payment: its period and what the credit covers
    are settled again, as by a payment at the kiosk."""
    if payment.patron_id is not None:
        settle_owed_periods(session, payment.patron_id)
    if payment.subscription_id is not None and payment.period_start is not None:
        _update_mark(session, _subscription_of(session, payment))


def period_is_settled(session: Session, subscription: Subscription, start: date) -> bool:
    """Paid by a payment of that period, or charged with nothing of it open any more (payments
    pay the oldest charges first); a period never charged is paid only by paying it."""
    return subscription.id in periods_settled(session, [(subscription, start)])


def periods_settled(session: Session, periods: Sequence[tuple[Subscription, date]]) -> set[int]:
    """The subscriptions of those of these periods (one per subscription) that are settled, as
    `period_is_settled`: the payments, charges and ledgers of all read in a few queries."""
    paid = session.execute(
        select(Payment.subscription_id, Payment.period_start).where(
            Payment.subscription_id.in_([subscription.id for subscription, _ in periods]),
            Payment.status == PaymentStatus.PAID,
            Payment.amount_charged_back == 0,
        )
    )
    paid_for = {(subscription_id, start) for subscription_id, start in paid}
    unpaid = [(s, start) for s, start in periods if (s.id, start) not in paid_for]
    open_amounts = periods_open(session, _charged(session, unpaid))
    paid_off = {subscription_id for subscription_id, owed in open_amounts.items() if owed <= 0}
    return {s.id for s, start in periods if (s.id, start) in paid_for} | paid_off


def _charged(
    session: Session, periods: Sequence[tuple[Subscription, date]]
) -> list[tuple[Subscription, date]]:
    """Those of the periods that were charged on the ledger (in one query)."""
    booked = ledger.charged(session, [period_charge_key(s, start) for s, start in periods])
    return [(s, start) for s, start in periods if period_charge_key(s, start) in booked]


def period_open(session: Session, subscription: Subscription, start: date) -> Decimal:
    """What is still owed of a period: its charge and what banks took back of its payments."""
    return periods_open(session, [(subscription, start)])[subscription.id]


def periods_open(
    session: Session, periods: Sequence[tuple[Subscription, date]]
) -> dict[int, Decimal]:
    """What is still owed of each of these periods (one per subscription), by subscription id,
    as `period_open`: their chargebacks, payments and ledgers read in three queries."""
    if not periods:
        return {}
    subscriptions = [subscription for subscription, _ in periods]
    taken_back = (
        select(Payment.subscription_id, Payment.period_start, Chargeback.provider_id)
        .select_from(Chargeback)
        .join(Payment)
        .where(Payment.subscription_id.in_([subscription.id for subscription in subscriptions]))
    )
    chargebacks: dict[tuple[int | None, date | None], set[str]] = defaultdict(set)
    for subscription_id, start, provider_id in session.execute(taken_back):
        chargebacks[subscription_id, start].add(chargeback_key(provider_id))
    earmarks = _periods_payments(session, subscriptions)
    asked = [
        (
            subscription.patron_id,
            {period_charge_key(subscription, start)} | chargebacks[subscription.id, start],
            earmarks[subscription.id],
        )
        for subscription, start in periods
    ]
    amounts = ledger.open_amounts(session, asked)
    return {s.id: amount for s, amount in zip(subscriptions, amounts, strict=True)}


def period_paid_by(session: Session, subscription: Subscription, start: date) -> dict[int, Decimal]:
    """The payments that paid (some of) a period's charge, whatever their channel (a period's
    own payment, money towards the balance), with what each paid of it."""
    key = period_charge_key(subscription, start)
    earmarks = _period_payments(session, subscription)
    return ledger.paid_by(session, subscription.patron_id, key, earmarks)


def _period_payments(session: Session, subscription: Subscription) -> dict[int, str]:
    """The subscription's payments of a period, each with its period's charge key: a payment
    pays its own period first (a collection paid after a failed one leaves that one owed)."""
    return _periods_payments(session, [subscription])[subscription.id]


def _periods_payments(
    session: Session, subscriptions: Sequence[Subscription]
) -> dict[int, dict[int, str]]:
    """Each subscription's payments of a period (as `_period_payments`), in one query."""
    by_id = {subscription.id: subscription for subscription in subscriptions}
    query = select(Payment.id, Payment.subscription_id, Payment.period_start).where(
        Payment.subscription_id.in_(list(by_id)), Payment.period_start.is_not(None)
    )
    payments: dict[int, dict[int, str]] = {subscription_id: {} for subscription_id in by_id}
    for payment_id, subscription_id, start in session.execute(query):
        if subscription_id is not None and start is not None:
            key = period_charge_key(by_id[subscription_id], start)
            payments[subscription_id][payment_id] = key
    return payments


def unpaid_periods(session: Session, subscription: Subscription) -> list[date]:
    """Periods left unpaid (a failed collection, a payment taken back, a renewal charged at
    its end) and not settled since."""
    starts = _periods_left_unpaid(session, subscription)
    return sorted(s for s in starts if not period_is_settled(session, subscription, s))


def _periods_left_unpaid(session: Session, subscription: Subscription) -> set[date]:
    """Periods that were left unpaid at some time, settled since or not."""
    query = select(Payment.period_start).where(
        Payment.subscription_id == subscription.id, LEFT_UNPAID
    )
    left = {start for start in session.scalars(query) if start is not None}
    return left | charged_periods(session, subscription)


def charged_periods(session: Session, subscription: Subscription) -> set[date]:
    """The starts of the periods after the first that were charged on the ledger and that no
    payment of their own paid (a renewal charged at its end, paid or not since)."""
    prefix = f"charge:{_period_key_prefix(subscription)}"
    keys = session.scalars(
        select(LedgerEntry.dedupe_key).where(
            LedgerEntry.subscription_id == subscription.id,
            LedgerEntry.dedupe_key.startswith(prefix, autoescape=True),
        )
    )
    paid = session.scalars(
        select(Payment.period_start).where(
            Payment.subscription_id == subscription.id,
            Payment.status == PaymentStatus.PAID,
            Payment.amount_charged_back == 0,
        )
    )
    return {date.fromisoformat(key.removeprefix(prefix)) for key in keys} - set(paid)


def extend(session: Session, subscription: Subscription, start: date) -> None:
    """Valid through the end of the period starting `start`, never shortening (the renewals'
    anchor kept from the first one on)."""
    if start == subscription.start_date and subscription.end_date >= start:
        return  # the first period: valid through its end from the start (unless begun unpaid)
    end = period_end(subscription, start)
    session.execute(
        update(Subscription)
        .where(Subscription.id == subscription.id, Subscription.end_date < end)
        .values(end_date=end, renewal_start=func.coalesce(Subscription.renewal_start, start))
        .execution_options(synchronize_session=False)
    )
    session.refresh(subscription)


def _update_mark(session: Session, subscription: Subscription) -> None:
    """Invoiced while a period is unpaid, normal again once none is."""
    # Locked first: a payment settled and a chargeback in two processes never each miss the
    # other's work (the lock order is payment, then subscription).
    lock_row(session, Subscription, subscription.id)
    if unpaid_periods(session, subscription):
        move_from(session, subscription, SubscriptionStatus.NORMAL, SubscriptionStatus.INVOICED)
    else:
        normal = SubscriptionStatus.NORMAL
        move_from(session, subscription, SubscriptionStatus.INVOICED, normal, grace_until=None)


def period_is_paid(session: Session, subscription_id: int, start: date | None) -> bool:
    """Whether any payment for this period of the subscription was paid (and not taken back)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Payment.subscription_id == subscription_id,
                    Payment.period_start == start,
                    Payment.status == PaymentStatus.PAID,
                    Payment.amount_charged_back == 0,
                )
            )
        )
    )


def period_taken_back(session: Session, subscription_id: int, start: date) -> bool:
    """Whether a bank took back (some of) a payment of this period."""
    query = select(Payment.id).where(
        Payment.subscription_id == subscription_id,
        Payment.period_start == start,
        Payment.amount_charged_back > 0,
    )
    return session.scalar(query.limit(1)) is not None


def period_attempts(session: Session, subscription_id: int, start: date) -> list[Payment]:
    """The patron's own payments of one period after the fact (iDEAL), oldest first."""
    query = select(Payment).where(
        Payment.subscription_id == subscription_id,
        Payment.period_start == start,
        Payment.purpose == PaymentPurpose.PERIOD,
        Payment.sequence_type == SequenceType.ONEOFF,
    )
    return list(session.scalars(query.order_by(Payment.id)))


def collections_under_way(session: Session, subscription_id: int, start: date) -> list[Payment]:
    """The schedule's collections of the period that have not finished yet."""
    query = select(Payment).where(
        Payment.subscription_id == subscription_id,
        Payment.period_start == start,
        Payment.sequence_type == SequenceType.RECURRING,
        Payment.status.in_(UNFINISHED),
    )
    return list(session.scalars(query))


def _under_way(session: Session, subscription: Subscription) -> set[date]:
    """The periods a collection of which has not finished yet (it pays them, or fails and
    leaves them owed)."""
    query = select(Payment.period_start).where(
        Payment.subscription_id == subscription.id,
        Payment.sequence_type == SequenceType.RECURRING,
        Payment.status.in_(UNFINISHED),
    )
    return {start for start in session.scalars(query) if start is not None}


def period_owed(session: Session, subscription: Subscription, start: date) -> Decimal:
    """What paying an unpaid period costs: its price, or what is still open of it."""
    return periods_owed(session, [(subscription, start)])[subscription.id]


def periods_owed(
    session: Session, periods: Sequence[tuple[Subscription, date]]
) -> dict[int, Decimal]:
    """What paying each of these unpaid periods (one per subscription) costs, by subscription
    id, as `period_owed`: the charged ones found and reckoned in a few queries for all."""
    # The price of a period not charged yet (after the schedule ended); else what is open of it.
    prices = {subscription.id: subscription.price for subscription, _ in periods}
    return prices | periods_open(session, _charged(session, periods))


def pay_period(
    session: Session,
    subscription: Subscription,
    start: date,
    provider: PaymentProvider,
    urls: PaymentUrls,
    now: datetime,
) -> Payment:
    """An iDEAL payment for a period left unpaid; one open attempt at a time."""
    if period_is_settled(session, subscription, start):
        raise DomainError("period_paid")
    check_payable(subscription, start)
    if collections_under_way(session, subscription.id, start):
        raise DomainError("period_being_collected")  # paying it too would pay it twice
    attempts = period_attempts(session, subscription.id, start)
    owed = period_owed(session, subscription, start)
    payment = reusable_payment(attempts, owed) or new_payment(
        session,
        f"period-{subscription.id}-{start.isoformat()}",
        len(attempts) + 1,
        now,
        patron_id=subscription.patron_id,
        subscription_id=subscription.id,
        period_start=start,
        purpose=PaymentPurpose.PERIOD,
        amount=owed,
        description=_period_text(subscription, start),
    )
    return submit_payment(session, payment, provider, urls, subscription.patron.locale, now)


def check_payable(subscription: Subscription, start: date) -> None:
    """Refuse to take money for a period the patron would not get: of a refused subscription
    (`subscription_refused`: to the desk), or after a cancelled one's end (`period_not_given`)."""
    if subscription.status in REFUSED_STATUSES:
        raise DomainError("subscription_refused")
    if not period_given(subscription, start):
        raise DomainError("period_not_given")


def _subscription_of(session: Session, payment: Payment) -> Subscription:
    """The subscription a period payment pays for."""
    _start_of(payment)
    return session.get_one(Subscription, payment.subscription_id)


def _start_of(payment: Payment) -> date:
    """The start of the period a payment pays for."""
    if payment.subscription_id is None or payment.period_start is None:
        raise ValueError(f"payment {payment.reference} does not pay a period")
    return payment.period_start


def withdraw_unpaid_after_end(session: Session, subscription: Subscription, now: datetime) -> None:
    """Take back the charges of the unpaid periods after the end (a cancelled subscription
    runs no further): the patron never owes for a period they will not get."""
    locale = subscription.patron.locale
    for start in unpaid_periods(session, subscription):
        if start > subscription.end_date:
            text = in_language(locale, WITHDRAWN, period=_period_text(subscription, start))
            key, patron_id = period_charge_key(subscription, start), subscription.patron_id
            ledger.withdraw(session, patron_id, key, text, now, subscription.id)


def _period_text(subscription: Subscription, start: date) -> str:
    """A period as the ledger names it: the subscription and its start."""
    return f"{subscription.type.name(subscription.patron.locale)} {start.isoformat()}"


def charge_period(session: Session, subscription: Subscription, start: date, now: datetime) -> None:
    """What the period from `start` costs, owed once however many attempts pay for it."""
    charge_periods(session, [(subscription, start)], now)


def charge_periods(
    session: Session, periods: Sequence[tuple[Subscription, date]], now: datetime
) -> None:
    """What each of these periods costs (charged in one statement), each owed once."""
    charges = [
        ledger.Charge(
            subscription.patron_id,
            subscription.price,
            _period_text(subscription, start),
            period_charge_key(subscription, start),
            subscription.id,
        )
        for subscription, start in periods
    ]
    ledger.charge_all(session, charges, now)


def period_charge_key(subscription: Subscription, start: date) -> str:
    """The ledger key of a period's charge (the first period's was charged at signup)."""
    if start == subscription.start_date:
        return f"subscription:{subscription.id}"
    return f"{_period_key_prefix(subscription)}{start.isoformat()}"


def _period_key_prefix(subscription: Subscription) -> str:
    """How the ledger keys of the subscription's periods after the first begin."""
    return f"period:{subscription.id}:"


def active_direct_debit(session: Session, patron: Patron) -> Subscription | None:
    """The patron's subscription that is collected by direct debit and not cancelled."""
    query = select(Subscription).where(
        Subscription.patron_id == patron.id,
        Subscription.paid_by == PaymentPlan.DIRECT_DEBIT,
        Subscription.cancelled_at.is_(None),
    )
    return session.scalars(query.order_by(Subscription.id.desc())).first()


def mandates(session: Session, patron: Patron) -> list[Mandate]:
    """The patron's mandates, newest first, for the account page."""
    query = select(Mandate).where(Mandate.patron_id == patron.id)
    return list(session.scalars(query.order_by(Mandate.id.desc())))


def revoke(
    session: Session, patron: Patron, provider: PaymentProvider, now: datetime, **values: object
) -> Subscription:
    """Stop direct debit: revoke the mandates, cancel the schedule; valid to the paid end (the
    subscription's columns in `values` set with its cancellation: a reason, an earlier end)."""
    subscription = active_direct_debit(session, patron)
    if subscription is None:
        raise DomainError("no_direct_debit")
    # Mandates first: Mollie cancels their schedules too, and a second run finishes a first one
    # that an outage interrupted (what is gone already is tolerated).
    for mandate in mandates(session, patron):
        if mandate.status.in_force:
            _tolerate_gone(
                partial(provider.revoke_mandate, mandate.customer_id, mandate.provider_id)
            )
            mandate.status, mandate.revoked_at = MandateStatus.REVOKED, now
    customer, schedule = patron.mollie_customer_id or "", subscription.mollie_subscription_id
    if schedule:
        _tolerate_gone(lambda: provider.cancel_subscription(customer, schedule))
    cancel(session, subscription, now, **values)
    return subscription


def _tolerate_gone(call: Callable[[], None]) -> None:
    """Run a cancel call; the provider refusing because it is already gone is fine."""
    try:
        call()
    except PaymentRefused as error:
        log.info("already stopped at the provider: %s", error)
