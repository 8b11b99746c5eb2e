"""Refunding all or part of a patron's payment at the desk: through the provider by the refund
service, or a cash payment in cash from the drawer. A desk member refunds at most what the
library owes the patron; more (it makes the patron owe again) is a coordinator's."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.db import commits_own_work, lock_row
from shared.desk import audit
from shared.desk.money import AtDesk
from shared.errors import DomainError
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus
from shared.money import to_amount
from shared.payments import ledger
from shared.payments.provider import PaymentProvider
from shared.payments.refunds import (
    apply_refund_status,
    refund_payment_committing,
    refundable,
    reserve_refund,
)

REFUNDED = "payment.refunded"  # the audit log's action


@commits_own_work
def refund_at_desk_committing(
    session: Session,
    at: AtDesk,
    payment: Payment,
    wanted: tuple[Decimal | None, str],
    coordinator: bool,
    provider: PaymentProvider,
    now: datetime,
) -> Refund:
    """Refund the payment (`wanted`: the amount, None for all that is left, and the words on
    the ledger and bank statement); commits, as the refund service does."""
    if payment.status != PaymentStatus.PAID:
        raise DomainError("refund_not_paid")
    amount, description = wanted
    links = {"desk_id": at.desk.id, "staff_account_id": at.staff.id}

    def checked(refund: Refund) -> None:
        """Refused beyond the desk's part, else audited: in the commit that reserves it."""
        _check_and_audit(session, at, payment, refund, coordinator, now)

    if payment.method != PaymentMethod.CASH:
        return refund_payment_committing(
            session, payment, amount, description, provider, now, checked, links
        )
    refund = reserve_refund(session, payment, amount, description, now, links)
    checked(refund)
    apply_refund_status(session, refund, RefundStatus.REFUNDED, now)  # handed over: booked
    session.commit()
    return refund


def _check_and_audit(
    session: Session,
    at: AtDesk,
    payment: Payment,
    refund: Refund,
    coordinator: bool,
    now: datetime,
) -> None:
    """Refuse a desk member's refund beyond what the library owes the patron (the patron held
    meanwhile, so two refunds cannot both pass), else write the audit entry."""
    patron_id = payment.patron_id or 0
    lock_row(session, Patron, patron_id)
    balance = ledger.balance(session, patron_id)
    credit = to_amount(max(-balance, Decimal(0)))
    if not coordinator and refund.amount > credit:
        raise DomainError("refund_beyond_credit", credit=credit)
    before = {"balance": balance, "refundable": refundable(payment) + refund.amount}
    after: dict[str, object] = {"refund": refund.amount, "refundable": refundable(payment)}
    after |= {"payment": payment.reference, "method": payment.method, "desk": at.desk.code}
    audit.record(session, at.staff, REFUNDED, now, patron_id, before, after)
