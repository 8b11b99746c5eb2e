"""The subscription's status as a state machine: every move legal or not, the guarded UPDATE that
changes nothing when another process moved the status first, lifting a refusal and cancelling."""

from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.patron import Subscription
from shared.models.patron import SubscriptionStatus as Status
from shared.patrons.status import (
    IllegalMove,
    cancel,
    carry_refusal,
    lift_from,
    lifted_status,
    move,
    move_from,
)
from tests.support.factories import create_patron, create_subscription

N, I, C = Status.NORMAL, Status.INVOICED, Status.CANCELLED  # noqa: E741
INVALID, BLACK = Status.INVALID, Status.BLACKLISTED
# Written out here, not read from MOVES: the table the module keeps is what is tested.
LEGAL = {
    (N, I), (N, C), (N, INVALID), (N, BLACK),
    (I, N), (I, C), (I, INVALID), (I, BLACK),
    (C, N), (C, INVALID), (C, BLACK),
    (INVALID, BLACK), (BLACK, INVALID),
}  # fmt: skip


def subscription_in(session: Session, clock: ManualClock, status: Status) -> Subscription:
    """A Basis subscription from today in this status."""
    patron = create_patron(session, None, clock.now())
    subscription = create_subscription(session, patron, "0045", date(2026, 1, 1))
    subscription.status = status
    session.flush()
    return subscription


def moved_elsewhere(session: Session, subscription: Subscription, status: Status) -> None:
    """Another process (a session of its own) sets the status and commits."""
    session.commit()
    with Session(session.get_bind()) as other:
        other.execute(
            update(Subscription).where(Subscription.id == subscription.id).values(status=status)
        )
        other.commit()


@pytest.mark.parametrize(("old", "new"), list(product(Status, Status)))
def test_each_move_is_made_or_refused_as_the_table_says(
    db_session: Session, clock: ManualClock, old: Status, new: Status
) -> None:
    subscription = subscription_in(db_session, clock, old)
    if (old, new) in LEGAL:
        assert move_from(db_session, subscription, old, new) is True
        assert subscription.status == new
        return
    with pytest.raises(IllegalMove) as refused:
        move_from(db_session, subscription, old, new)
    assert refused.value.code == "status_move_refused"
    assert refused.value.params == {"old": old.value, "new": new.value}
    assert subscription.status == old


def test_no_payment_or_cancellation_moves_a_refusal_to_what_it_was(
    db_session: Session, clock: ManualClock
) -> None:
    for refused, back in product((INVALID, BLACK), (N, I, C)):
        with pytest.raises(IllegalMove):
            move(db_session, subscription_in(db_session, clock, refused), back)


def test_the_guarded_update_changes_nothing_when_the_status_moved_meanwhile(
    db_session: Session, clock: ManualClock
) -> None:
    subscription = subscription_in(db_session, clock, N)
    moved_elsewhere(db_session, subscription, I)
    assert subscription.status == N  # as this session last read it
    assert move_from(db_session, subscription, N, C, cancelled_at=clock.now()) is False
    assert (subscription.status, subscription.cancelled_at) == (I, None)
    moved_elsewhere(db_session, subscription, BLACK)
    with pytest.raises(IllegalMove):
        move(db_session, subscription, INVALID)  # as read: invoiced; the database: blacklisted
    assert subscription.status == BLACK


@pytest.mark.parametrize(
    ("cancelled", "unpaid", "back"),
    [(False, False, N), (False, True, I), (True, False, C), (True, True, C)],
)
def test_a_lifted_refusal_goes_back_to_what_the_subscription_was(
    db_session: Session, clock: ManualClock, cancelled: bool, unpaid: bool, back: Status
) -> None:
    subscription = subscription_in(db_session, clock, INVALID)
    subscription.cancelled_at = clock.now() if cancelled else None
    assert lifted_status(subscription, unpaid) == back
    assert lift_from(db_session, subscription, INVALID, unpaid, status_reason="") is True
    assert subscription.status == back


def test_only_a_refusal_is_lifted_and_only_the_one_seen(
    db_session: Session, clock: ManualClock
) -> None:
    for status in (N, I, C):
        with pytest.raises(IllegalMove):
            lift_from(db_session, subscription_in(db_session, clock, status), status, False)
    subscription = subscription_in(db_session, clock, INVALID)
    moved_elsewhere(db_session, subscription, BLACK)
    assert lift_from(db_session, subscription, INVALID, False) is False
    assert subscription.status == BLACK


def test_cancelling_a_refused_subscription_keeps_the_refusal_until_it_is_lifted(
    db_session: Session, clock: ManualClock
) -> None:
    running = subscription_in(db_session, clock, I)
    cancel(db_session, running, clock.now())
    assert running.status == C and running.cancelled_at == clock.now()
    with pytest.raises(IllegalMove):
        cancel(db_session, running, clock.now())  # cancelled already
    refused = subscription_in(db_session, clock, BLACK)
    clock.advance(timedelta(minutes=1))
    cancel(db_session, refused, clock.now())
    assert refused.status == BLACK and refused.cancelled_at is not None
    assert lift_from(db_session, refused, BLACK, unpaid=True) is True
    assert refused.status == C


@pytest.mark.parametrize("status", list(Status))
def test_a_successor_carries_a_refusal_and_nothing_else(status: Status) -> None:
    old = Subscription(status=status, status_reason="fraude")
    successor = Subscription(status=N)
    carry_refusal(old, successor)
    refused = status in (INVALID, BLACK)
    assert successor.status == (status if refused else N)
    assert successor.status_reason == ("fraude" if refused else None)
