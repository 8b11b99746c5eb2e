"""Changing to another subscription (issue 16): an upgrade takes effect today and the patron
owes the difference for the rest of the period, pro rata by day; a downgrade, or another way of
paying, is planned for the next period (the current one runs to its end and renews no more)
and the daily job starts it, unless it is undone before. A change to direct debit waits for
its first payment (see `change_mandate`) before it is planned. The same rules for Mijn account
and the desk (the desk may also give what online signup does not offer)."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.memberships.cancellation import withdraw_cancellation
from shared.memberships.change_rules import ChangeMoment, UpgradeCost, moment, upgrade_cost
from shared.memberships.pro_rata import DAY, current_period
from shared.memberships.renewal import TERMS, Renewal, invoice
from shared.models.catalogue import SubscriptionType
from shared.models.patron import (
    REFUSED_STATUSES,
    Patron,
    PaymentPlan,
    Subscription,
    SubscriptionStatus,
)
from shared.models.payment import Payment
from shared.models.subscription_change import PENDING_INDEX, ChangeStatus, SubscriptionChange
from shared.patrons.changes import CHANGED, change_of, collect_from_next_period, move_change
from shared.patrons.special import check_special_rules
from shared.patrons.status import cancel, carry_refusal
from shared.patrons.subscriptions import check_age, current_subscription, valid_through
from shared.payments import direct_debit, ledger
from shared.payments.provider import PaymentProvider, PaymentRefused
from shared.timeutil import local_today

CHANGE_ACTION = "subscription.changed"  # the audit log's actions at the desk
UNDO_ACTION = "subscription.change_undone"
# A second pending change refused: PostgreSQL names the index, SQLite the column.
PENDING_NAMES = (PENDING_INDEX, "subscription_change.subscription_id")


@dataclass(frozen=True)
class Target:
    """The subscription to change to, and how it is to be paid."""

    code: str
    plan: PaymentPlan


@dataclass(frozen=True)
class ChangeQuote:
    """What a change does: when it starts and what it costs (shown before it is confirmed)."""

    current: Subscription
    kind: SubscriptionType
    plan: PaymentPlan
    moment: ChangeMoment
    starts_on: date
    upgrade: UpgradeCost | None  # now: the cost build-up of the rest of the period
    first_period: Decimal  # at the next period: what its first period costs

    @property
    def first_payment(self) -> bool:
        """Whether the change waits for a first payment that gives a mandate (to direct
        debit at the next period): it pays the new subscription's first period, as at signup."""
        return self.plan == PaymentPlan.DIRECT_DEBIT and self.moment == ChangeMoment.NEXT_PERIOD

    @property
    def owed_now(self) -> Decimal:
        """What the change charges today."""
        if self.first_payment:
            return self.first_period
        return self.upgrade.difference if self.upgrade else Decimal("0.00")


def changeable(session: Session, patron: Patron, today: date) -> Subscription:
    """The current subscription, if it may be changed: running, not refused, cancelled or
    unpaid (an upgrade's difference too), with a term that renews, and no change planned (or
    awaiting its payment) yet."""
    subscription = current_subscription(patron)
    if subscription is None or subscription.runs_through < today:
        raise DomainError("change_no_subscription")
    if subscription.status in REFUSED_STATUSES:
        raise DomainError("subscription_refused")
    if pending_change(session, subscription) is not None:
        raise DomainError("change_planned")
    if subscription.cancelled_at is not None:
        raise DomainError("change_cancelled")
    if subscription.status == SubscriptionStatus.INVOICED or _owes_first_period(
        session, subscription
    ):
        raise DomainError("change_unpaid")
    if subscription.type.validity not in TERMS or not subscription.type.renews:
        raise DomainError("change_no_term")
    return subscription


def _owes_first_period(session: Session, subscription: Subscription) -> bool:
    """Whether the first period's charge is still owed: an upgrade's difference (it stays
    normal while owed, see docs/memberships.md); renewals left unpaid make it invoiced."""
    return direct_debit.period_open(session, subscription, subscription.start_date) > 0


def offers(session: Session, current: Subscription, desk: bool) -> list[Target]:
    """What the current subscription may change to: those with a term that renews (online
    only those signup offers), each way of paying they allow, but for the current one."""
    query = select(SubscriptionType).where(SubscriptionType.validity.in_(TERMS))
    if not desk:
        query = query.where(SubscriptionType.online_signup.is_(True))
    kinds = session.scalars(query.order_by(SubscriptionType.sort_order, SubscriptionType.code))
    targets = [
        Target(kind.code, PaymentPlan(plan))
        for kind in kinds
        if kind.renews
        for plan in kind.payment_plans
    ]
    return [t for t in targets if t != Target(current.type_code, current.paid_by)]


def quote(
    session: Session, patron: Patron, target: Target, today: date, desk: bool = False
) -> ChangeQuote:
    """What changing the current subscription to `target` does, or why it is refused."""
    current = changeable(session, patron, today)
    if target == Target(current.type_code, current.paid_by):
        raise DomainError("change_same")
    if target not in offers(session, current, desk):
        raise DomainError("change_not_offered")
    kind = session.get_one(SubscriptionType, target.code)
    when = moment(current.type, current.paid_by, kind, target.plan)
    starts_on = today if when == ChangeMoment.NOW else current.end_date + DAY
    _check_rules(patron, kind, starts_on)
    debit = PaymentPlan.DIRECT_DEBIT
    if when == ChangeMoment.NEXT_PERIOD and debit == target.plan == current.paid_by:
        raise DomainError("change_needs_mandate")  # see docs/memberships.md
    if when == ChangeMoment.NEXT_PERIOD:
        return ChangeQuote(current, kind, target.plan, when, starts_on, None, kind.price)
    period = current_period(current, today)
    if period.end != current.end_date:
        raise DomainError("change_paid_ahead")
    cost = upgrade_cost(current.price, current.type, kind, period, today)
    return ChangeQuote(current, kind, target.plan, when, starts_on, cost, kind.price)


def _check_rules(patron: Patron, kind: SubscriptionType, on: date) -> None:
    """The catalogue's rules for giving `kind` on that day: the age band, the special rules."""
    refusal = check_age(kind, patron.birth_date, on)
    if refusal is not None:
        raise DomainError("change_age", age=refusal.age)
    check_special_rules(patron.subscriptions, kind, None, on)


def change_subscription(
    session: Session,
    patron: Patron,
    target: Target,
    provider: PaymentProvider,
    now: datetime,
    desk: bool = False,
) -> SubscriptionChange:
    """Make the change: an upgrade now, anything else planned for the next period."""
    chosen = quote(session, patron, target, local_today(now), desk)
    if chosen.moment == ChangeMoment.NOW:
        return _upgrade(session, chosen, provider, now, desk)
    return _plan(session, chosen, provider, now, desk)


def _upgrade(
    session: Session,
    chosen: ChangeQuote,
    provider: PaymentProvider,
    now: datetime,
    desk: bool,
) -> SubscriptionChange:
    """The new subscription from today to the end of the current period (then it renews with
    its own term); the current one ended yesterday; the difference charged on the ledger."""
    current, today = chosen.current, local_today(now)
    assert chosen.upgrade is not None
    if current.paid_by == PaymentPlan.DIRECT_DEBIT:
        # The new one's schedule replaces it, with the same mandate (started after the commit).
        _stop_schedule(current, provider)
    # On its first day it ends that day (never before it began): both run today, paid once,
    # by the old payment (today counts as used); see docs/memberships.md.
    ended = max(current.start_date, today - DAY)
    cancel(session, current, now, cancel_reason=CHANGED, end_date=ended)
    new = _successor(session, current, chosen, chosen.upgrade.period.end)
    _charge_difference(session, chosen, new, now)
    change = _record(session, chosen, now, desk, ChangeStatus.STARTED)
    change.charged, change.new_subscription_id = chosen.upgrade.difference, new.id
    session.flush()
    return change


def _charge_difference(
    session: Session, chosen: ChangeQuote, new: Subscription, now: datetime
) -> None:
    """The upgrade's difference, as the new subscription's first period (its pay link pays
    it, and the kiosk and the desk see it owed)."""
    assert chosen.upgrade is not None
    if chosen.upgrade.difference <= 0:
        return
    locale = new.patron.locale
    names = f"{new.type.name(locale)} (was {chosen.current.type.name(locale)})"
    period = chosen.upgrade.period
    days = f"{chosen.upgrade.days}/{period.days}"
    description = f"{names} {chosen.starts_on.isoformat()}–{period.end.isoformat()} {days}"
    key = direct_debit.period_charge_key(new, new.start_date)
    ledger.charge(session, new.patron_id, chosen.upgrade.difference, description, key, now, new.id)


def _plan(
    session: Session,
    chosen: ChangeQuote,
    provider: PaymentProvider,
    now: datetime,
    desk: bool,
) -> SubscriptionChange:
    """The current subscription runs to its end and renews no more (its direct debit stops:
    the mandate is revoked as on cancelling); the change waits for the next period. A change
    to direct debit first waits for its first payment: nothing changes until it is paid."""
    current = chosen.current
    if chosen.first_payment:
        return _record(session, chosen, now, desk, ChangeStatus.AWAITING)
    if current.paid_by == PaymentPlan.DIRECT_DEBIT:
        direct_debit.revoke(session, current.patron, provider, now, cancel_reason=CHANGED)
    else:
        cancel(session, current, now, cancel_reason=CHANGED)
    return _record(session, chosen, now, desk, ChangeStatus.PLANNED)


def _record(
    session: Session, chosen: ChangeQuote, now: datetime, desk: bool, status: ChangeStatus
) -> SubscriptionChange:
    """The change's row. One submitted at the same moment elsewhere (a double submit, past
    the check in `changeable`) is refused by the database; the caller rolls back."""
    change = SubscriptionChange(
        subscription_id=chosen.current.id,
        type_code=chosen.kind.code,
        paid_by=chosen.plan,
        starts_on=chosen.starts_on,
        status=status,
        by_desk=desk,
        created_at=now,
    )
    session.add(change)
    try:
        session.flush()
    except IntegrityError as error:
        if not any(name in str(error.orig) for name in PENDING_NAMES):
            raise
        raise DomainError("change_planned") from error
    return change


def _successor(
    session: Session, current: Subscription, chosen: ChangeQuote, end: date
) -> Subscription:
    """The new subscription from the change's start to `end` (refused while the current is); a
    direct debit's schedule collects from the period after (the mandate is the patron's)."""
    new = Subscription(
        patron_id=current.patron_id,
        type=chosen.kind,
        start_date=chosen.starts_on,
        end_date=end,
        price=chosen.kind.price,
        paid_by=chosen.plan,
    )
    carry_refusal(current, new)
    if new.paid_by == PaymentPlan.DIRECT_DEBIT:
        collect_from_next_period(new)
    session.add(new)
    session.flush()
    return new


def _stop_schedule(subscription: Subscription, provider: PaymentProvider) -> None:
    """End the provider's schedule of a direct debit, keeping the mandate (gone is fine)."""
    customer, schedule = subscription.patron.mollie_customer_id, subscription.mollie_subscription_id
    if customer is None or schedule is None:
        return
    with suppress(PaymentRefused):  # ended at the provider already
        provider.cancel_subscription(customer, schedule)


def planned_change(session: Session, subscription: Subscription) -> SubscriptionChange | None:
    """The change planned for the subscription's next period, if any."""
    return change_of(session, subscription.id, ChangeStatus.PLANNED)


def pending_change(session: Session, subscription: Subscription) -> SubscriptionChange | None:
    """The change planned, or awaiting its first payment, for the subscription, if any."""
    return change_of(session, subscription.id, ChangeStatus.PLANNED, ChangeStatus.AWAITING)


def undo_change(session: Session, patron: Patron, now: datetime) -> SubscriptionChange:
    """Take back the change before it starts: the current subscription runs on and renews
    again (by a payment link once its direct debit was stopped, as a withdrawn cancellation).
    One still awaiting its first payment changed nothing yet (paid after all, the payment is
    kept as credit)."""
    current = current_subscription(patron)
    change = pending_change(session, current) if current is not None else None
    if change is None:
        raise DomainError("change_not_planned")
    was = change.status
    if not move_change(session, change, was, ChangeStatus.UNDONE, undone_at=now):
        raise DomainError("change_not_planned")
    if was == ChangeStatus.PLANNED:
        withdraw_cancellation(session, patron, now)
    return change


def due_to_start(day: Renewal) -> Select[int]:
    """Subscriptions whose planned change starts on the day (or started lately unseen)."""
    return (
        select(Subscription.id)
        .join(SubscriptionChange, SubscriptionChange.subscription_id == Subscription.id)
        .where(
            SubscriptionChange.status == ChangeStatus.PLANNED,
            SubscriptionChange.starts_on.between(day.today - day.rules.grace_days * DAY, day.today),
        )
    )


def start_planned(session: Session, subscription: Subscription, day: Renewal) -> None:
    """Start the subscription's planned change: the new one runs its first period from the day
    after the current one ended, as at signup (`valid_through`: to a month's end for most).
    One paid once starts as an unpaid renewal: its first period is invoiced (paid by its pay
    link, at the kiosk or at the desk), usable through the grace period and blocked after it,
    as any renewal left unpaid."""
    change = planned_change(session, subscription)
    if change is None or change.starts_on > day.today:
        return
    if not move_change(session, change, ChangeStatus.PLANNED, ChangeStatus.STARTED):
        return  # started by a run in another process
    chosen = ChangeQuote(
        subscription,
        change.type,
        change.paid_by,
        ChangeMoment.NEXT_PERIOD,
        change.starts_on,
        None,
        change.type.price,
    )
    unpaid = change.paid_by == PaymentPlan.ONCE and change.type.price > 0
    # Unpaid, it has no paid day yet: it ends the day before it starts, its first period is
    # the renewal the invoice step charges (and paying extends it by its term from there).
    end = change.starts_on - DAY if unpaid else valid_through(change.type, change.starts_on)
    new = _successor(session, subscription, chosen, end)
    change.new_subscription_id = new.id
    if change.payment_id is not None:
        _paid_by_first_payment(session, new, session.get_one(Payment, change.payment_id))
    if unpaid:
        invoice(session, [new], day)
    elif new.price > 0:
        direct_debit.charge_period(session, new, new.start_date, day.now)
    session.flush()


def _paid_by_first_payment(session: Session, new: Subscription, first: Payment) -> None:
    """The change's first payment paid the new subscription's first period and gave its
    mandate, as at signup: it is that period's payment now (the schedule, started by
    reconciliation, records the mandate from it)."""
    first.subscription_id, first.period_start = new.id, new.start_date
    session.flush()
