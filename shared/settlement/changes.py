"""A change's first payment paid (a change to direct debit, see
`shared/memberships/change_mandate.py`): the change is planned, once, if it still follows on
the current subscription."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from shared.models.patron import Subscription
from shared.models.payment import Payment
from shared.models.subscription_change import ChangeStatus
from shared.patrons.changes import CHANGED, change_of, move_change, still_fits
from shared.patrons.status import cancel
from shared.payments import ledger
from shared.timeutil import local_today

log = logging.getLogger(__name__)


def change_paid(session: Session, payment: Payment, now: datetime) -> None:
    """The money on the ledger; the change that awaited it planned: the current subscription
    runs to its end and renews no more (still fitting, it was never invoiced: unlike a
    cancellation, there is no charge after its end to withdraw). Paid for a change no longer
    awaiting (undone, paid by another attempt) or no longer fitting (renewed, invoiced,
    refused or cancelled meanwhile), it stays credit, as surplus."""
    ledger.record_payment(session, payment, now)
    current = session.get_one(Subscription, payment.subscription_id)
    change = change_of(session, current.id, ChangeStatus.AWAITING)
    # The day it was paid, not the day it is heard of (a webhook after midnight, a retry).
    paid_on = local_today(payment.paid_at or now)
    fits = change is not None and still_fits(change, current, paid_on)
    if change is not None and fits and payment.amount == change.type.price:
        awaiting, planned = ChangeStatus.AWAITING, ChangeStatus.PLANNED
        if move_change(session, change, awaiting, planned, payment_id=payment.id):
            cancel(session, current, now, cancel_reason=CHANGED)
            return
    payment.surplus = True
    log.warning("surplus payment %s: no change awaits it", payment.reference)
