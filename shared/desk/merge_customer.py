"""Which payment provider (Mollie) customer a merged record keeps. A direct debit's schedule,
mandate and collections belong to the customer they were made for, and the schedule's webhook,
stopping and starting a schedule all name the record's one customer: the record that stays
keeps the customer whose direct debit can still move money, and two such are not merged."""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.mandate import Mandate, MandateStatus
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, PaymentMethod, PaymentStatus
from shared.payments.chargebacks import WINDOW
from shared.payments.direct_debit import collected, latest_scheduled_start
from shared.timeutil import local_today

IN_FORCE = [status for status in MandateStatus if status.in_force]
UNFINISHED = [status for status in PaymentStatus if not status.is_final]


def kept_customer(session: Session, survivor: Patron, other: Patron, now: datetime) -> str | None:
    """The customer the record that stays has after the merge: the other record's when only
    its direct debit can still move money (or the survivor has none), else the survivor's own;
    refused when both records' direct debits can."""
    mine, theirs = survivor.mollie_customer_id, other.mollie_customer_id
    if theirs is None or theirs == mine:
        return mine
    if mine is None:
        return theirs
    if not still_collecting(session, other, now):
        return mine
    if still_collecting(session, survivor, now):
        raise DomainError("merge_direct_debit_conflict")
    return theirs


def still_collecting(session: Session, patron: Patron, now: datetime) -> bool:
    """Whether the record's direct debit can still take money or give it back: a subscription
    collected by it (its schedule runs, or resumes when a refusal is lifted), a mandate in
    force, a collection under way or made within the chargeback window, or a schedule
    cancelled within that window after it began collecting (its last collection may be
    reported late)."""
    since = now - WINDOW
    if any(collected(s) or _stopped_lately(s, since) for s in patron.subscriptions):
        return True
    in_force = select(Mandate.id).where(
        Mandate.patron_id == patron.id, Mandate.status.in_(IN_FORCE)
    )
    collection = select(Payment.id).where(
        Payment.patron_id == patron.id,
        Payment.method == PaymentMethod.DIRECT_DEBIT,
        or_(Payment.status.in_(UNFINISHED), Payment.created_at >= since),
    )
    return any(session.scalar(query.limit(1)) is not None for query in (in_force, collection))


def _stopped_lately(subscription: Subscription, since: datetime) -> bool:
    """Whether its schedule was cancelled after `since`, on or after its first collection day."""
    cancelled = subscription.cancelled_at
    if subscription.mollie_subscription_id is None or cancelled is None or cancelled < since:
        return False
    return latest_scheduled_start(subscription, local_today(cancelled)) is not None
