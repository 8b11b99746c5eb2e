"""Renewing a subscription paid once (seed 002): a renewal mail with a pay link some days before
the end (a letter for the desk to print when no e-mail address is known); at the end, unpaid,
the renewal is charged on the ledger and the subscription is invoiced (*gefactureerd*), still
valid through a grace period; a reminder before that ends; after it, lending is blocked until
the renewal is paid (online, at the kiosk or at the desk). Paying extends the subscription by
its term from the old end, however late it is paid. A free subscription renews on its own.

Each step is claimed once per period (StepDone), so running the job again, or in two processes
at once, does nothing twice."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.db import insert_new
from shared.guests.directory import HomeLibraries
from shared.mail.patron_mail import LaterMail, pay_link, payment_mail_address, queue_mails_later
from shared.mail.settings import MailSettings
from shared.memberships.renewal_mail import KIND, stored_payment, stored_subscription
from shared.models.catalogue import SubscriptionType, Validity
from shared.models.membership import Letter, Step, StepDone
from shared.models.patron import REFUSED_STATUSES, PaymentPlan, Subscription, SubscriptionStatus
from shared.patrons.status import move_all_from
from shared.patrons.subscriptions import check_age
from shared.payments.direct_debit import (
    charge_periods,
    extend,
    period_end,
    period_owed,
    periods_owed,
    periods_settled,
    unpaid_periods,
)

DAY = timedelta(days=1)
TERMS = (Validity.END_OF_MONTH, Validity.EXACT)  # subscriptions with a term that can renew
MONEY_STEPS = frozenset({Step.NOTICE, Step.INVOICE, Step.REMINDER, Step.LAPSED})


@dataclass(frozen=True)
class RenewalRules:
    """When the renewal's steps come (settings RENEWAL_NOTICE_DAYS, RENEWAL_GRACE_DAYS and
    RENEWAL_REMINDER_DAYS)."""

    notice_days: int = 30  # the renewal mail, this many days before the end
    grace_days: int = 30  # still valid this many days after the end, invoiced
    reminder_days: int = 7  # the reminder, this many days before the grace period ends


@dataclass(frozen=True)
class Renewal:
    """What the job needs for one day: the day, the moment, the rules and how to mail."""

    today: date
    now: datetime
    rules: RenewalRules
    mail: MailSettings
    # The guests' home libraries, asked each night (none: guests are not checked).
    homes: HomeLibraries = field(default_factory=lambda: HomeLibraries({}))


def claim(session: Session, subscription: Subscription, step: Step, now: datetime) -> bool:
    """Record that the step is done for the subscription's current period; False if it was."""
    return bool(claim_all(session, [subscription], step, now))


def claim_all(
    session: Session, subscriptions: Sequence[Subscription], step: Step, now: datetime
) -> list[Subscription]:
    """Record that the step is done for each subscription's current period (in one statement);
    those it was not done for yet, whose step is this run's to do."""
    rows = [
        {"subscription_id": s.id, "ends_on": s.end_date, "step": step, "done_at": now}
        for s in subscriptions
    ]
    claimed = insert_new(session, StepDone, rows, returning="subscription_id")
    return [subscription for subscription in subscriptions if subscription.id in claimed]


def unclaimed(step: Step) -> ColumnElement[bool]:
    """SQL: the step is not done yet for the subscription's current period."""
    return ~exists().where(
        StepDone.subscription_id == Subscription.id,
        StepDone.ends_on == Subscription.end_date,
        StepDone.step == step,
    )


def lately(
    column: InstrumentedAttribute[date] | InstrumentedAttribute[date | None], day: Renewal
) -> ColumnElement[bool]:
    """SQL: the date in `column` passed within the grace days before the day (one that passed
    earlier is left alone: nothing is invoiced or moved on years late)."""
    return column.between(day.today - day.rules.grace_days * DAY, day.today - DAY)


def paid_renewals(step: Step) -> Select[int]:
    """Ids of running subscriptions paid once, with a price and a term that renews."""
    return (
        select(Subscription.id)
        .join(SubscriptionType, Subscription.type_code == SubscriptionType.code)
        .where(
            Subscription.paid_by == PaymentPlan.ONCE,
            Subscription.cancelled_at.is_(None),
            Subscription.price > 0,
            SubscriptionType.renews.is_(True),
            SubscriptionType.validity.in_(TERMS),
            unclaimed(step),
        )
    )


def due_for_notice(day: Renewal) -> Select[int]:
    """Ending within the notice days, not invoiced or refused."""
    ends_soon = Subscription.end_date.between(day.today, day.today + day.rules.notice_days * DAY)
    normal = Subscription.status == SubscriptionStatus.NORMAL
    return paid_renewals(Step.NOTICE).where(ends_soon, normal)


def due_for_invoice(day: Renewal) -> Select[int]:
    """Ended unpaid within the grace days (older ones simply ended: none is invoiced years
    later), not invoiced or refused yet."""
    ended = lately(Subscription.end_date, day)
    normal = Subscription.status == SubscriptionStatus.NORMAL
    return paid_renewals(Step.INVOICE).where(ended, normal)


def due_for_reminder(day: Renewal) -> Select[int]:
    """Invoiced, the grace period ending within the reminder days."""
    ending = Subscription.grace_until.between(day.today, day.today + day.rules.reminder_days * DAY)
    invoiced = Subscription.status == SubscriptionStatus.INVOICED
    return paid_renewals(Step.REMINDER).where(ending, invoiced)


def due_for_lapse(day: Renewal) -> Select[int]:
    """Invoiced, the grace period over (lately: older ones were told when it happened)."""
    over = lately(Subscription.grace_until, day)
    invoiced = Subscription.status == SubscriptionStatus.INVOICED
    return paid_renewals(Step.LAPSED).where(over, invoiced)


def due_for_free_renewal(day: Renewal) -> Select[int]:
    """Free subscriptions with a term that ended (lately), not refused or cancelled."""
    return (
        select(Subscription.id)
        .join(SubscriptionType, Subscription.type_code == SubscriptionType.code)
        .where(
            Subscription.price == 0,
            Subscription.cancelled_at.is_(None),
            Subscription.status == SubscriptionStatus.NORMAL,
            SubscriptionType.renews.is_(True),
            SubscriptionType.validity.in_(TERMS),
            lately(Subscription.end_date, day),
            unclaimed(Step.RENEWED_FREE),
            unclaimed(Step.ENDED),
        )
    )


def notice(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
    """The renewal is due soon: tell the patrons what it costs and how to pay it."""
    # Read after the candidates were: a renewal paid meanwhile moved the end on.
    ends = day.today + day.rules.notice_days * DAY
    ending = [subscription for subscription in subscriptions if subscription.end_date <= ends]
    tell_all(session, claim_all(session, ending, Step.NOTICE, day.now), Step.NOTICE, day)


def invoice(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
    """The end passed unpaid: invoice the subscriptions (grace begins) and charge the renewals."""
    # Read after the candidates were: one paid, cancelled or refused meanwhile is left alone
    # (and unclaimed: a successor begun refused is invoiced once the refusal is lifted).
    ended = [
        (subscription, subscription.end_date + DAY)
        for subscription in subscriptions
        if subscription.status == SubscriptionStatus.NORMAL
        and subscription.end_date + DAY <= day.today
    ]
    settled = periods_settled(session, ended)
    unpaid = [subscription for subscription, _ in ended if subscription.id not in settled]
    invoiced = _move_to_invoiced(session, claim_all(session, unpaid, Step.INVOICE, day.now), day)
    charge_periods(session, [(s, s.end_date + DAY) for s in invoiced], day.now)
    tell_all(session, invoiced, Step.INVOICE, day)


def _move_to_invoiced(
    session: Session, subscriptions: Sequence[Subscription], day: Renewal
) -> list[Subscription]:
    """Those of the subscriptions that were still normal, invoiced now, their grace begun (one
    guarded UPDATE per end date)."""
    by_end: dict[date, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        by_end[subscription.end_date].append(subscription)
    normal, invoiced = SubscriptionStatus.NORMAL, SubscriptionStatus.INVOICED
    moved = set()
    for end, ending in by_end.items():
        grace = end + day.rules.grace_days * DAY
        moved |= set(move_all_from(session, ending, normal, invoiced, grace_until=grace))
    return [subscription for subscription in subscriptions if subscription in moved]


def remind(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
    """The grace period ends soon: remind the patrons."""
    tell_all(session, claim_all(session, subscriptions, Step.REMINDER, day.now), Step.REMINDER, day)


def lapse(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
    """The grace period ended unpaid: lending is blocked (the dates say so); tell the patrons."""
    tell_all(session, claim_all(session, subscriptions, Step.LAPSED, day.now), Step.LAPSED, day)


def renew_free(session: Session, subscription: Subscription, day: Renewal) -> None:
    """A free subscription runs another term while its ages hold; else it ends, and the patron
    is told which subscriptions there are."""
    start = subscription.end_date + DAY
    if start > day.today:
        return  # renewed meanwhile (by a run in another process)
    if check_age(subscription.type, subscription.patron.birth_date, start) is not None:
        if claim(session, subscription, Step.ENDED, day.now):
            tell(session, subscription, Step.ENDED, day)
        return
    if claim(session, subscription, Step.RENEWED_FREE, day.now):
        extend(session, subscription, start)


def renewed_through(subscription: Subscription) -> date:
    """The new end once the renewal (the period after the end) is paid."""
    return period_end(subscription, subscription.end_date + DAY)


def tell(session: Session, subscription: Subscription, step: Step, day: Renewal) -> None:
    """Mail the patron about this step of the renewal (see `tell_all`)."""
    tell_all(session, [subscription], step, day)


def tell_all(
    session: Session, subscriptions: Sequence[Subscription], step: Step, day: Renewal
) -> None:
    """Mail each patron about this step of the renewal (the mails queued in one statement); with
    no e-mail address known, leave a letter in the desk's print queue."""
    periods = [(subscription, subscription.end_date + DAY) for subscription in subscriptions]
    owed = periods_owed(session, periods) if step in MONEY_STEPS else {}
    mails = []
    for subscription, start in periods:
        to = payment_mail_address(subscription.patron)
        amount = owed.get(subscription.id)
        if to:
            mails.append(_later_mail(subscription, to, step, day, amount))
        else:
            session.add(_letter(subscription, start, step, day, amount))
    session.flush()
    queue_mails_later(session, day.mail, KIND, mails, day.now)


def _letter(
    subscription: Subscription, start: date, step: Step, day: Renewal, amount: Decimal | None
) -> Letter:
    """The letter for the desk to print for a patron with no e-mail address known."""
    return Letter(
        patron_id=subscription.patron_id,
        subscription_id=subscription.id,
        period_start=start,
        step=step,
        amount=amount,
        created_at=day.now,
    )


def _later_mail(
    subscription: Subscription, to: str, step: Step, day: Renewal, amount: Decimal | None
) -> LaterMail:
    """The renewal mail about this step, stored, not rendered: the worker renders it when it
    sends it (a day may mail thousands)."""
    stored: dict[str, object] = {
        "subscription": stored_subscription(subscription),
        "step": step.value,
        "account_url": day.mail.account_url,
        "url": "",
    }
    if amount is not None:
        start = subscription.end_date + DAY
        url = pay_link(day.mail, subscription.id, start, day.now)
        stored |= stored_payment(start, amount, renewed_through(subscription), url)
    key = f"renewal:{subscription.id}:{subscription.end_date}:{step.value}"
    return LaterMail(to, subscription.patron, stored, key)


@dataclass(frozen=True)
class RenewalDue:
    """A renewal the patron may pay now: the period's start, what it costs, the new end."""

    start: date
    amount: Decimal
    through: date


def renewal_due(
    session: Session, subscription: Subscription, today: date, rules: RenewalRules
) -> RenewalDue | None:
    """The period the patron may pay now: an unpaid one (invoiced), or the renewal once the
    notice days before the end began; None for what does not renew or is cancelled."""
    kind = subscription.type
    renewing = (
        subscription.paid_by == PaymentPlan.ONCE
        and subscription.cancelled_at is None
        and subscription.price > 0
        and kind.renews
        and kind.validity in TERMS
    )
    if not renewing or subscription.status in REFUSED_STATUSES:
        return None
    unpaid = unpaid_periods(session, subscription)
    start = unpaid[0] if unpaid else subscription.end_date + DAY
    notice_from = subscription.end_date - rules.notice_days * DAY
    if not unpaid and not notice_from <= today <= subscription.end_date + rules.grace_days * DAY:
        return None  # not yet, or ended long ago: nothing to renew (a new subscription is)
    amount = period_owed(session, subscription, start)
    return RenewalDue(start, amount, period_end(subscription, start))
