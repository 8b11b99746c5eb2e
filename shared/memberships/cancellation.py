"""Cancelling a membership (seed 002: *opzeggen per direct* or *per* the day after the end),
always with a reason from the catalogue: at the end of the period it runs to its end date; now
it ends today. Direct debit stops either way, and a cancelled subscription renews no more. The
desk may withdraw a cancellation at the end of the period before that end."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.memberships.cancel_reasons import check_reason
from shared.models.patron import (
    Patron,
    PaymentPlan,
    Subscription,
    SubscriptionStatus,
)
from shared.patrons.changes import CHANGED
from shared.patrons.status import cancel, move
from shared.patrons.subscriptions import current_subscription
from shared.payments import direct_debit
from shared.payments.provider import PaymentProvider
from shared.timeutil import local_today


class CancelWhen(StrEnum):
    """When a cancellation takes effect."""

    END_OF_PERIOD = "end"  # it runs to its end date (the paid period)
    NOW = "now"  # it ends today (runs through today at most)


@dataclass(frozen=True)
class Cancellation:
    """What the patron or the desk chose: when, and why (a catalogue reason's code)."""

    when: CancelWhen
    reason: str


def cancel_subscription(
    session: Session,
    patron: Patron,
    cancellation: Cancellation,
    provider: PaymentProvider,
    now: datetime,
    desk: bool = False,
) -> Subscription:
    """Cancel the current subscription as chosen, for a reason the patron (or the desk) may
    give; direct debit stops; cancelling again is refused."""
    reason = check_reason(session, cancellation.reason, desk)
    subscription = cancellable(patron, local_today(now))
    values = {"cancel_reason": reason, **_ending(subscription, cancellation.when, local_today(now))}
    if subscription.paid_by == PaymentPlan.DIRECT_DEBIT:
        direct_debit.revoke(session, patron, provider, now, **values)
    else:
        cancel(session, subscription, now, **values)
    direct_debit.withdraw_unpaid_after_end(session, subscription, now)
    return subscription


def cancellable(patron: Patron, today: date) -> Subscription:
    """The subscription a cancellation is for: the current one, not cancelled and not ended (an
    invalid or blacklisted one may be cancelled: it stays refused, see status.cancel)."""
    subscription = current_subscription(patron)
    if subscription is None or subscription.cancelled_at is not None:
        raise DomainError("nothing_to_cancel")
    if subscription.runs_through < today:
        raise DomainError("subscription_ended")
    return subscription


def direct_debit_cancellable(patron: Patron, today: date) -> Subscription:
    """The subscription that stopping direct debit cancels (at the end of the period paid):
    the current one, when it is paid by direct debit."""
    subscription = cancellable(patron, today)
    if subscription.paid_by != PaymentPlan.DIRECT_DEBIT:
        raise DomainError("no_direct_debit")
    return subscription


def _ending(subscription: Subscription, when: CancelWhen, today: date) -> dict[str, object]:
    """The dates a cancellation changes: now, it runs through today at most (a grace period
    too); at the end of the period, it runs through its end date (no grace for a renewal it
    will not get)."""
    if when == CancelWhen.END_OF_PERIOD:
        return {"grace_until": None}
    ending: dict[str, object] = {"end_date": min(subscription.end_date, today)}
    if subscription.grace_until is not None:
        ending["grace_until"] = min(subscription.grace_until, today)
    return ending


def withdrawable(subscription: Subscription | None, today: date) -> bool:
    """Whether the desk may withdraw the subscription's cancellation: one at the end of the
    period, before that end (one now has ended it today already); a planned change's (its
    undo) through the last day, as the change starts the day after."""
    if subscription is None or subscription.status != SubscriptionStatus.CANCELLED:
        return False
    if subscription.cancel_reason == CHANGED:
        return subscription.end_date >= today
    return subscription.end_date > today


def withdraw_cancellation(session: Session, patron: Patron, now: datetime) -> Subscription:
    """Take back the current subscription's cancellation: it runs on and renews again (by a
    payment link once its direct debit was stopped: the mandate is revoked)."""
    subscription = current_subscription(patron)
    if subscription is None or not withdrawable(subscription, local_today(now)):
        raise DomainError("cancellation_not_withdrawable")
    values: dict[str, object] = {"cancelled_at": None, "cancel_reason": None}
    if subscription.paid_by == PaymentPlan.DIRECT_DEBIT:
        values["paid_by"] = PaymentPlan.ONCE
    move(session, subscription, SubscriptionStatus.NORMAL, **values)
    direct_debit.restore_surplus_periods(session, subscription, now)
    return subscription
