"""The membership job of one day (`flask --app portal memberships run-daily`, and every
housekeeping pass): renewal mails, invoices, reminders, lapses, free renewals, youth moving on
and guests checked at their home library, each once per subscription and period, in batches
that are committed one by one. A subscription whose step fails is logged and left for the next
run; the rest go on."""

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, selectinload

from shared.guests import sync
from shared.memberships import change, renewal, youth
from shared.memberships.renewal import Renewal
from shared.models.patron import Patron, Subscription

logger = logging.getLogger(__name__)

BATCH = 500
# A step for a batch of subscriptions (the batch of one when one of them failed).
Act = Callable[[Session, Sequence[Subscription], Renewal], None]


def each(act: Callable[[Session, Subscription, Renewal], None]) -> Act:
    """A step done subscription by subscription."""

    def for_each(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
        for subscription in subscriptions:
            act(session, subscription, day)

    return for_each


STEPS: tuple[tuple[str, Callable[[Renewal], Select[int]], Act], ...] = (
    # First: a change planned for today replaces the subscription before it is invoiced.
    ("changed", change.due_to_start, each(change.start_planned)),
    ("notice", renewal.due_for_notice, renewal.notice),
    ("invoice", renewal.due_for_invoice, renewal.invoice),
    ("reminder", renewal.due_for_reminder, renewal.remind),
    ("lapsed", renewal.due_for_lapse, renewal.lapse),
    ("renewed_free", renewal.due_for_free_renewal, each(renewal.renew_free)),
    ("moved", youth.due_to_move, each(youth.move_on)),
    # Guests: the home library asked about each (seed 003).
    ("guests", sync.due_for_sync, sync.sync),
)
# The database itself failing (gone, locked) is no fault of one subscription: the run stops.
NOT_THE_ROWS = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class Failure:
    """A step that failed for one subscription (its work rolled back, tried again next run)."""

    step: str
    subscription_id: int
    error: str


@dataclass
class DailyReport:
    """How many subscriptions each step saw, and the ones whose step failed."""

    seen: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


def run_daily_committing(session: Session, day: Renewal, commit: Callable[[], None]) -> DailyReport:
    """Run each step for every subscription due on the day, committing batch by batch."""
    report = DailyReport()
    for name, due, act in STEPS:
        report.seen[name] = 0
        for ids in _batches(session, due(day)):
            report.failures += _run_batch(session, name, act, ids, day)
            commit()
            report.seen[name] += len(ids)
    return report


def _batches(session: Session, due: Select[int]) -> Iterator[list[int]]:
    """The ids due, read once (one query, not one per batch), in batches of BATCH by id."""
    # Sorted here: ORDER BY id would have the planner walk the whole table in id order.
    ids = sorted(session.scalars(due))
    for first in range(0, len(ids), BATCH):
        yield ids[first : first + BATCH]


def _run_batch(
    session: Session, name: str, act: Act, ids: list[int], day: Renewal
) -> list[Failure]:
    """The step for a batch in one savepoint; when any subscription fails, the batch again
    one subscription per savepoint, leaving out (and reporting) those that fail."""
    try:
        with session.begin_nested():
            act(session, _loaded(session, ids), day)
        return []
    except NOT_THE_ROWS:
        raise
    except Exception:  # which subscription failed is found out one by one below
        logger.info("membership step %s: a batch failed; running it one by one", name)
    return [
        failure
        for subscription in _loaded(session, ids)
        if (failure := _run_one(session, name, act, subscription, day))
    ]


def _run_one(
    session: Session, name: str, act: Act, subscription: Subscription, day: Renewal
) -> Failure | None:
    """The step for one subscription in a savepoint of its own; the failure, if it failed."""
    subscription_id = subscription.id
    try:
        with session.begin_nested():
            act(session, [subscription], day)
        return None
    except NOT_THE_ROWS:
        raise
    except Exception as error:  # any fault of one subscription: logged, skipped
        logger.exception("membership step %s failed for subscription %d", name, subscription_id)
        return Failure(name, subscription_id, f"{type(error).__name__}: {error}")


def _loaded(session: Session, ids: list[int]) -> list[Subscription]:
    """The subscriptions with their type and patron (and the patron's branch and login)."""
    query = (
        select(Subscription)
        .where(Subscription.id.in_(ids))
        .options(
            selectinload(Subscription.type),
            selectinload(Subscription.patron).selectinload(Patron.home_branch),
            selectinload(Subscription.patron).selectinload(Patron.login_account),
        )
        .order_by(Subscription.id)
    )
    return list(session.scalars(query))
