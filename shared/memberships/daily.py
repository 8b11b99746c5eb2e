"""The membership job of one day (`flask --app portal memberships run-daily`, and every
housekeeping pass): renewal mails, invoices, reminders, lapses, free renewals and youth moving
on, each once per subscription and period, in batches that are committed one by one."""

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shared.memberships import change, renewal, youth
from shared.memberships.renewal import Renewal
from shared.models.patron import Patron, Subscription

BATCH = 500
STEPS = (
    # First: a change planned for today replaces the subscription before it is invoiced.
    ("changed", change.due_to_start, change.start_planned),
    ("notice", renewal.due_for_notice, renewal.notice),
    ("invoice", renewal.due_for_invoice, renewal.invoice),
    ("reminder", renewal.due_for_reminder, renewal.remind),
    ("lapsed", renewal.due_for_lapse, renewal.lapse),
    ("renewed_free", renewal.due_for_free_renewal, renewal.renew_free),
    ("moved", youth.due_to_move, youth.move_on),
)


def run_daily_committing(
    session: Session, day: Renewal, commit: Callable[[], None]
) -> dict[str, int]:
    """Run each step for every subscription due on the day; how many each step saw."""
    seen = {}
    for name, due, act in STEPS:
        seen[name] = 0
        for ids in renewal.batches(session, due(day), BATCH):
            for subscription in _loaded(session, ids):
                act(session, subscription, day)
            commit()
            seen[name] += len(ids)
    return seen


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
