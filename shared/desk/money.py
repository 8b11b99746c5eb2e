"""Taking money at a desk for what a patron owes (all or part): cash, the desk's PIN terminal,
or an iDEAL | Wero link by mail. Each pays through the ledger as a kiosk payment does, and is
recorded in the audit log with the balance before and after."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.desk import audit
from shared.errors import DomainError
from shared.mail.patron_mail import payment_mail_address, queue_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.desk import Desk
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod, PaymentStatus
from shared.payments import ledger
from shared.payments.point_of_sale import desk_till, new_balance_payment, start_terminal_payment
from shared.payments.provider import PaymentProvider
from shared.payments.service import PaymentUrls, submit_payment
from shared.settlement.events import act_on

TAKEN = "payment.taken"  # the audit log's actions
STARTED = "payment.started"
LINK_MAILED = "payment.link_mailed"
# The refusals of what may be paid, in the desk's words.
DESK_REFUSALS = {"nothing_owed": "desk_nothing_owed", "amount_not_owed": "desk_amount_not_owed"}


@dataclass(frozen=True)
class AtDesk:
    """Who works at which desk: every desk action records both."""

    staff: LoginAccount
    desk: Desk


@dataclass(frozen=True)
class Taking:
    """A payment taken at the desk, and whether this call took it (False: a double submit
    found the one taken under the same request key)."""

    payment: Payment
    new: bool


def take_cash(
    session: Session,
    at: AtDesk,
    patron: Patron,
    amount: Decimal | None,
    request_key: str,
    mail: MailSettings,
    now: datetime,
) -> Taking:
    """Cash for what is owed, paid at once and settled as any paid balance payment (the
    ledger, unpaid periods); once per request key."""
    lock_row(session, Patron, patron.id)  # one check-and-take per patron at a time
    key = f"desk-cash-{at.desk.id}-{request_key}"
    taken = session.scalar(select(Payment).where(Payment.idempotency_key == f"{key}-1"))
    if taken is not None:
        return Taking(taken, new=False)
    before = ledger.balance(session, patron.id)
    payment = _new_desk_payment(session, at, patron, amount, key, now, PaymentMethod.CASH)
    payment.status, payment.paid_at = PaymentStatus.PAID, now
    session.flush()
    act_on(session, payment, PaymentStatus.PAID, mail, now)
    _audit(session, at, TAKEN, patron, before, payment, now)
    return Taking(payment, new=True)


def start_at_terminal(
    session: Session,
    at: AtDesk,
    patron: Patron,
    amount: Decimal | None,
    request_key: str,
    provider: PaymentProvider,
    urls: PaymentUrls,
    now: datetime,
) -> Taking:
    """A payment on the desk's own PIN terminal, once per request key; the terminal's outcome
    settles it as at a kiosk (webhook, or the desk page asking)."""
    if at.desk.terminal_id is None:
        raise DomainError("desk_no_terminal")
    started = f"{desk_till(at.desk, at.staff.id).key_prefix}-{request_key}-1"
    new = session.scalar(select(Payment.id).where(Payment.idempotency_key == started)) is None
    before = ledger.balance(session, patron.id)
    with _in_desk_words():
        payment = start_terminal_payment(
            session,
            desk_till(at.desk, at.staff.id),
            patron,
            amount,
            request_key,
            provider,
            urls,
            now,
        )
    if new:
        _audit(session, at, STARTED, patron, before, payment, now)
    return Taking(payment, new)


def mail_pay_link(
    session: Session,
    at: AtDesk,
    patron: Patron,
    amount: Decimal | None,
    request_key: str,
    services: tuple[PaymentProvider, PaymentUrls, MailSettings],
    now: datetime,
) -> Taking:
    """An iDEAL | Wero payment for what is owed, its checkout link mailed to the patron; once
    per request key."""
    provider, urls, mail = services
    to = payment_mail_address(patron)
    if not to:
        raise DomainError("desk_no_email")
    lock_row(session, Patron, patron.id)
    key = f"desk-link-{at.desk.id}-{request_key}"
    payment = session.scalar(select(Payment).where(Payment.idempotency_key == f"{key}-1"))
    if payment is not None:
        return Taking(payment, new=False)
    before = ledger.balance(session, patron.id)
    payment = _new_desk_payment(session, at, patron, amount, key, now, PaymentMethod.IDEAL)
    submit_payment(session, payment, provider, urls, patron.locale, now)
    context = {"payment": payment, "url": payment.checkout_url}
    mail_key = f"desk_pay_link:payment:{payment.id}"
    queue_mail(session, mail, "desk_pay_link", to, patron, context, now, key=mail_key)
    _audit(session, at, LINK_MAILED, patron, before, payment, now, to=to)
    return Taking(payment, new=True)


def _new_desk_payment(
    session: Session,
    at: AtDesk,
    patron: Patron,
    amount: Decimal | None,
    key: str,
    now: datetime,
    method: PaymentMethod,
) -> Payment:
    """A balance payment row made at the desk by its staff login, for at most what is owed."""
    with _in_desk_words():
        till = desk_till(at.desk, at.staff.id)
        return new_balance_payment(session, till, patron, amount, key, now, method)


@contextmanager
def _in_desk_words() -> Iterator[None]:
    """Say what may be paid in the desk's words: the patron's own refusals address the patron."""
    try:
        yield
    except DomainError as error:
        if error.code not in DESK_REFUSALS:
            raise
        raise DomainError(DESK_REFUSALS[error.code], **error.params) from error


def _audit(
    session: Session,
    at: AtDesk,
    action: str,
    patron: Patron,
    before: Decimal,
    payment: Payment,
    now: datetime,
    **more: str,
) -> None:
    """The audit entry of a desk payment: the balance before, and after with the payment."""
    after = {
        "balance": ledger.balance(session, patron.id),
        "amount": payment.amount,
        "method": payment.method,
        "status": payment.status,
        "payment": payment.reference,
        "desk": at.desk.code,
        **more,
    }
    audit.record(session, at.staff, action, now, patron.id, {"balance": before}, after)
