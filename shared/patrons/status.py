"""A subscription's status as a state machine: the legal moves, made one way only.

    normal ⇄ invoiced          a period is unpaid (renewal, failed collection, chargeback) / paid
    normal, invoiced → cancelled          the patron or the desk cancels (runs to its end date)
    cancelled → normal                    the desk withdraws a cancellation before the end
    any → invalid, blacklisted            the desk refuses the patron (*ongeldig*, *zwarte lijst*)
    invalid, blacklisted → what it was    the desk lifts it (cancelled, invoiced or normal)

A cancelled subscription is never invoiced (what is unpaid stays on the ledger), and nothing but
the desk ends an invalid or blacklisted status: a payment does not lift it."""

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
    Status.INVALID: frozenset(
        {Status.NORMAL, Status.INVOICED, Status.CANCELLED, Status.BLACKLISTED}
    ),
    Status.BLACKLISTED: frozenset(
        {Status.NORMAL, Status.INVOICED, Status.CANCELLED, Status.INVALID}
    ),
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
    moved = rows_changed(
        session,
        update(Subscription)
        .where(Subscription.id == subscription.id, Subscription.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False),
    )
    session.refresh(subscription)
    return moved == 1


def lifted_status(subscription: Subscription, unpaid: bool) -> Status:
    """What a refused subscription goes back to when the desk lifts the refusal."""
    if subscription.cancelled_at is not None:
        return Status.CANCELLED
    return Status.INVOICED if unpaid else Status.NORMAL
