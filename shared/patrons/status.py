"""A subscription's status as a state machine: the legal moves, made one way only.

    normal ⇄ invoiced          a period is unpaid (renewal, failed collection, chargeback) / paid
    normal, invoiced → cancelled          the patron or the desk cancels (runs to its end date)
    cancelled → normal                    the desk withdraws a cancellation before the end
    any → invalid, blacklisted            the desk refuses the patron (*ongeldig*, *zwarte lijst*)
    invalid ⇄ blacklisted                 the desk changes its refusal
    invalid, blacklisted → what it was    the desk lifts it (cancelled, invoiced or normal)

A cancelled subscription is never invoiced (what is unpaid stays on the ledger), and nothing but
the desk's lifting ends an invalid or blacklisted status: a payment or a cancellation does not
(`move` refuses it, `lift_from` is the only way out, and `cancel` notes a refused one's
cancellation for when it is lifted)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.db import rows_changed
from shared.errors import DomainError
from shared.models.patron import REFUSED_STATUSES as REFUSED
from shared.models.patron import Subscription
from shared.models.patron import SubscriptionStatus as Status

MOVES: dict[Status, frozenset[Status]] = {
    Status.NORMAL: frozenset({Status.INVOICED, Status.CANCELLED, *REFUSED}),
    Status.INVOICED: frozenset({Status.NORMAL, Status.CANCELLED, *REFUSED}),
    Status.CANCELLED: frozenset({Status.NORMAL, *REFUSED}),
    Status.INVALID: frozenset({Status.BLACKLISTED}),
    Status.BLACKLISTED: frozenset({Status.INVALID}),
}


class IllegalMove(DomainError):
    """A status change the state machine does not allow."""

    def __init__(self, old: Status, new: Status) -> None:
        """The move refused, as `status_move_refused` with both statuses."""
        super().__init__("status_move_refused", old=old.value, new=new.value)


def move(session: Session, subscription: Subscription, new: Status, **values: object) -> None:
    """Move the subscription from its status to `new` (setting the columns in `values` too),
    if that is a legal move and no one moved it meanwhile; else IllegalMove."""
    if not move_from(session, subscription, subscription.status, new, **values):
        raise IllegalMove(subscription.status, new)


def move_from(
    session: Session, subscription: Subscription, old: Status, new: Status, **values: object
) -> bool:
    """Move from `old` to `new` only if the status is `old` (one guarded UPDATE, so a process
    acting on a status another changed changes nothing); True if it moved. An illegal move
    raises IllegalMove."""
    if new not in MOVES[old]:
        raise IllegalMove(old, new)
    return _update_from(session, subscription, old, status=new, **values)


def move_all_from(
    session: Session,
    subscriptions: Sequence[Subscription],
    old: Status,
    new: Status,
    **values: object,
) -> list[Subscription]:
    """Move each subscription from `old` to `new` only if its status is `old` (one guarded UPDATE
    for all); those it moved, with the new values. An illegal move raises IllegalMove."""
    if new not in MOVES[old]:
        raise IllegalMove(old, new)
    ids = [subscription.id for subscription in subscriptions]
    statement = (
        update(Subscription)
        .where(Subscription.id.in_(ids), Subscription.status == old)
        .values(status=new, **values)
        .returning(Subscription.id)
        # The moved ones in the session get the new values (the UPDATE returns which they are).
        .execution_options(synchronize_session="fetch")
    )
    moved = set(session.scalars(statement)) if ids else set()
    return [subscription for subscription in subscriptions if subscription.id in moved]


def lift_from(
    session: Session, subscription: Subscription, old: Status, unpaid: bool, **values: object
) -> bool:
    """Lift the refusal `old` (the desk's alone): back to what the subscription was, if its
    status is still `old`; True if it moved. A status that is no refusal raises IllegalMove."""
    new = lifted_status(subscription, unpaid)
    if old not in REFUSED:
        raise IllegalMove(old, new)
    return _update_from(session, subscription, old, status=new, **values)


def cancel(session: Session, subscription: Subscription, now: datetime, **values: object) -> None:
    """Cancel: the subscription runs to its end date. A refused one stays refused with its
    cancellation noted, so that lifting the refusal brings it back cancelled."""
    if subscription.status not in REFUSED:
        move(session, subscription, Status.CANCELLED, cancelled_at=now, **values)
    elif not _update_from(session, subscription, subscription.status, cancelled_at=now, **values):
        raise IllegalMove(subscription.status, Status.CANCELLED)


def carry_refusal(old: Subscription, successor: Subscription) -> None:
    """A subscription that follows a refused one (invalid, blacklisted) is refused the same way,
    with the same reason and moment: a new subscription never lifts a refusal."""
    if old.status in REFUSED:
        successor.status, successor.status_reason = old.status, old.status_reason
        successor.status_changed_at = old.status_changed_at


def lifted_status(subscription: Subscription, unpaid: bool) -> Status:
    """What a refused subscription goes back to when the desk lifts the refusal."""
    if subscription.cancelled_at is not None:
        return Status.CANCELLED
    return Status.INVOICED if unpaid else Status.NORMAL


def _update_from(
    session: Session, subscription: Subscription, old: Status, **values: object
) -> bool:
    """Set the columns in `values` if the status is still `old` (one guarded UPDATE); True if
    it did. The subscription is read again either way."""
    changed = rows_changed(
        session,
        update(Subscription)
        .where(Subscription.id == subscription.id, Subscription.status == old)
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    session.refresh(subscription)
    return changed == 1
