"""Youth growing up (seed 002): a subscription until an age (youth, free) moves on to the one
the catalogue names next (Start) on the first day past it, the 19th birthday; the patron gets a
mail that explains it and offers the paid subscriptions. The desk may move a member earlier."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.memberships.renewal import DAY, Renewal, claim, lately, tell, unclaimed
from shared.models.catalogue import SubscriptionType, Validity
from shared.models.membership import Step
from shared.models.patron import PaymentPlan, Subscription
from shared.patrons.status import carry_refusal
from shared.patrons.subscriptions import valid_through
from shared.timeutil import local_today

MOVED_ON = "subscription.moved_on"  # the audit log's action when the desk moves a member on


def due_to_move(day: Renewal) -> Select[int]:
    """Subscriptions until an age whose holder grew out of it (lately), with a next one named
    (a refused one too: its successor carries the refusal, lifted with it by the desk)."""
    return (
        select(Subscription.id)
        .join(SubscriptionType, Subscription.type_code == SubscriptionType.code)
        .where(
            SubscriptionType.validity == Validity.UNTIL_AGE,
            SubscriptionType.next_code.is_not(None),
            Subscription.cancelled_at.is_(None),
            lately(Subscription.end_date, day),
            unclaimed(Step.MOVED),
        )
    )


def move_on(session: Session, subscription: Subscription, day: Renewal) -> None:
    """Start the next subscription the day after this one ends; tell the patron."""
    if claim(session, subscription, Step.MOVED, day.now):
        successor = start_next(session, subscription, day.now)
        tell(session, successor, Step.MOVED, day)


def move_now(session: Session, subscription: Subscription, now: datetime) -> Subscription:
    """The desk moves a youth member on before the birthday: the next subscription starts
    today, this one ended yesterday (so exactly one is valid on any day)."""
    if subscription.type.validity != Validity.UNTIL_AGE or subscription.type.next_code is None:
        raise DomainError("not_youth")
    ended = max(subscription.start_date, local_today(now) - DAY)
    subscription.end_date = min(subscription.end_date, ended)
    if not claim(session, subscription, Step.MOVED, now):
        raise DomainError("not_youth")  # moved on already (by another request, or the job)
    return start_next(session, subscription, now)


def start_next(session: Session, subscription: Subscription, now: datetime) -> Subscription:
    """The subscription the catalogue names next, from the day after this one ends (refused
    while this one is)."""
    kind = session.get_one(SubscriptionType, subscription.type.next_code)
    start = subscription.end_date + DAY
    successor = Subscription(
        patron_id=subscription.patron_id,
        type=kind,
        start_date=start,
        end_date=valid_through(kind, start, subscription.patron.birth_date),
        price=kind.price,
        paid_by=PaymentPlan.ONCE,
    )
    carry_refusal(subscription, successor)
    session.add(successor)
    session.flush()
    return successor
