"""The payments and waivers of erased patrons, kept without them for the bookkeeping, removed
after it."""

from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from shared.db import rows_changed
from shared.models.desk import Waiver
from shared.models.payment import Chargeback, Payment, Refund
from shared.timeutil import LOCAL_TZ


def bookkeeping_cutoff(now: datetime, years: int) -> datetime:
    """From when the books are still kept: the start of the year `years` before this one (the
    fiscal retention runs from the end of the year a record is about)."""
    return datetime(now.astimezone(LOCAL_TZ).year - years, 1, 1, tzinfo=LOCAL_TZ)


def purge_anonymised_payments(session: Session, before: datetime) -> int:
    """Remove the anonymised payments that last changed before `before`, with their refunds and
    chargebacks, once none of those changed since, and the anonymised waivers made before it;
    how many payments went."""
    expired = _expired(before)
    for model in (Refund, Chargeback):
        session.execute(delete(model).where(model.payment_id.in_(expired)))
    session.execute(delete(Waiver).where(Waiver.patron_id.is_(None), Waiver.created_at < before))
    return rows_changed(session, delete(Payment).where(Payment.id.in_(expired)))


def _expired(before: datetime) -> Select[int]:
    """The ids of the anonymised payments past the bookkeeping period."""
    later_refund = select(Refund.id).where(
        Refund.payment_id == Payment.id, Refund.updated_at >= before
    )
    later_chargeback = select(Chargeback.id).where(
        Chargeback.payment_id == Payment.id,
        (Chargeback.recorded_at >= before) | (Chargeback.reversed_at >= before),
    )
    return select(Payment.id).where(
        Payment.anonymised_at.is_not(None),
        Payment.updated_at < before,
        ~later_refund.exists(),
        ~later_chargeback.exists(),
    )
