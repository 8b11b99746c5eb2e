"""Paying what a patron owes on a PIN terminal (a Mollie point-of-sale payment): a kiosk's, or
a desk's."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.errors import DomainError
from shared.models.desk import Desk
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod, PaymentPurpose, PaymentStatus
from shared.money import to_amount
from shared.payments import ledger
from shared.payments.ledger import OpenCharge
from shared.payments.provider import PaymentProvider, PaymentRefused, ProviderPayment
from shared.payments.service import (
    REUSABLE,
    PaymentUrls,
    apply_status,
    new_payment,
    submit_payment,
)

DESCRIPTION_LENGTH = 255  # Mollie's limit, and the payment's column


@dataclass(frozen=True)
class Till:
    """Where a terminal payment is taken: a kiosk or a desk with its PIN terminal. `owner` is
    the payment's column naming it and its id; `links` what else the payment records."""

    terminal_id: str | None
    branch_name: str
    key_prefix: str
    owner: tuple[str, int]
    links: Mapping[str, int | None] = field(default_factory=dict)


def kiosk_till(device: KioskDevice) -> Till:
    """A kiosk's PIN terminal (its payments keyed `pos-<kiosk>-…`)."""
    owner = ("kiosk_device_id", device.id)
    return Till(device.terminal_id, device.branch.name, f"pos-{device.id}", owner)


def desk_till(desk: Desk, staff_account_id: int) -> Till:
    """A desk's PIN terminal, worked by this staff login (payments keyed `desk-pos-<desk>-…`)."""
    links = {"staff_account_id": staff_account_id}
    return Till(
        desk.terminal_id, desk.branch.name, f"desk-pos-{desk.id}", ("desk_id", desk.id), links
    )


def start_terminal_payment(
    session: Session,
    till: Till,
    patron: Patron,
    amount: Decimal | None,
    request_key: str,
    provider: PaymentProvider,
    urls: PaymentUrls,
    now: datetime,
) -> Payment:
    """One terminal payment per request key at a till, for what is owed and not already being
    paid; a new one first cancels what still waits on the till's terminal."""
    if till.terminal_id is None:
        raise DomainError("no_terminal")
    lock_row(session, Patron, patron.id)  # one check-and-create per patron at a time
    key = f"{till.key_prefix}-{request_key}"
    payment = session.scalar(select(Payment).where(Payment.idempotency_key == f"{key}-1"))
    if payment is None:
        _free_terminal(session, till, provider, now)
        _refresh_collecting(session, patron, provider, now)
        payment = new_balance_payment(session, till, patron, amount, key, now)
    elif payment.patron_id != patron.id or amount is not None and payment.amount != amount:
        raise DomainError("request_key_reused")
    return submit_payment(session, payment, provider, urls, patron.locale, now)


def payable(session: Session, patron: Patron) -> Decimal:
    """What is owed minus what terminals are already collecting."""
    collecting = (payment.amount for payment in _collecting(session, patron))
    return to_amount(ledger.balance(session, patron.id) - sum(collecting, Decimal(0)))


def is_collecting(session: Session, patron: Patron) -> bool:
    """Whether a terminal (a kiosk's or a desk's) is collecting for the patron now."""
    return bool(_collecting(session, patron))


def _collecting(session: Session, patron: Patron) -> list[Payment]:
    """The patron's terminal payments that are not finished, as we know them (a payment link
    the desk mailed is not counted: the patron may never open it)."""
    query = select(Payment).where(
        Payment.patron_id == patron.id,
        Payment.purpose == PaymentPurpose.BALANCE,
        Payment.method == PaymentMethod.POINT_OF_SALE,
        Payment.status.in_(REUSABLE),
    )
    return list(session.scalars(query))


def _refresh_collecting(
    session: Session, patron: Patron, provider: PaymentProvider, now: datetime
) -> None:
    """Ask Mollie about the patron's unfinished terminal payments before counting them as being
    collected: one that expired or ended at another kiosk while its webhook was lost would
    otherwise hold the debt until reconcile comes by."""
    for payment in _collecting(session, patron):
        if payment.provider_id is None:
            continue
        try:
            _note_ending(session, payment, provider.get_payment(payment.provider_id), now)
        except PaymentRefused:
            continue  # Mollie will not say (a payment of another key): it stays as it is


def new_balance_payment(
    session: Session,
    till: Till,
    patron: Patron,
    amount: Decimal | None,
    key: str,
    now: datetime,
    method: PaymentMethod = PaymentMethod.POINT_OF_SALE,
) -> Payment:
    """A new payment row towards the balance at a till, for at most what may be paid now: on
    its terminal, or (at a desk) in cash or by a mailed link."""
    wanted = payable_amount(session, patron, amount)
    terminal = till.terminal_id if method == PaymentMethod.POINT_OF_SALE else None
    return new_payment(
        session,
        key,
        1,
        now,
        patron_id=patron.id,
        amount=wanted,
        description=terminal_description(
            till.branch_name, patron.customer_number, ledger.open_charges(session, patron.id)
        ),
        method=method,
        purpose=PaymentPurpose.BALANCE,
        terminal_id=terminal,
        **{till.owner[0]: till.owner[1]},
        **till.links,
    )


def payable_amount(session: Session, patron: Patron, amount: Decimal | None) -> Decimal:
    """The amount asked (all that may be paid now when None), refused when nothing is owed or
    it is more than that."""
    available = payable(session, patron)
    if available <= 0:
        raise DomainError("nothing_owed")
    wanted = to_amount(amount) if amount is not None else available
    if not Decimal("0") < wanted <= available:
        raise DomainError("amount_not_owed", owed=available)
    return wanted


def terminal_description(branch: str, number: str, charges: list[OpenCharge]) -> str:
    """What the terminal and the bank statement say, in Dutch: the branch, what is paid and for
    which patron, e.g. "Bibliotheek Ruinerwold: Te laat, Reservering (klantnummer 2X1234567)"."""
    whom = f" (klantnummer {number})"
    what = ", ".join(charge.description for charge in charges) or "openstaand bedrag"
    room = DESCRIPTION_LENGTH - len(branch) - len(whom) - 2
    if len(what) > room:
        what = what[: room - 1].rstrip(", ") + "…"
    return f"{branch}: {what}{whom}"


def _free_terminal(session: Session, till: Till, provider: PaymentProvider, now: datetime) -> None:
    """Cancel the till's earlier payments still waiting on its terminal (that patron walked
    away); one the terminal no longer lets go is left to the webhook and status polling."""
    column, owner_id = till.owner
    waiting = select(Payment).where(
        getattr(Payment, column) == owner_id,
        Payment.provider_id.is_not(None),
        Payment.status.in_(REUSABLE),
    )
    for payment in session.scalars(waiting).all():
        try:
            current = cancel_terminal_payment(payment, provider)
        except DomainError:
            # Not cancelable: maybe paid, or ended without our hearing; record what it is now,
            # so it is not asked again at every later start.
            current = provider.get_payment(payment.provider_id or "")
        _note_ending(session, payment, current, now)


def _note_ending(
    session: Session, payment: Payment, remote: ProviderPayment, now: datetime
) -> None:
    """Record a terminal payment as Mollie reports it, unless paid: a paid one is left to the
    settlement (webhook, polling, reconcile), which credits the ledger as a status alone would
    not; until then it still counts as being collected, so it is never asked for twice."""
    if remote.status != PaymentStatus.PAID:
        apply_status(session, payment, remote, now)


def cancel_terminal_payment(payment: Payment, provider: PaymentProvider) -> ProviderPayment:
    """Ask the terminal to cancel, refused once the card was accepted; the payment as the
    provider has it then (the caller applies it, or fetches the status as for any change: the
    card may have been paid just before)."""
    if payment.provider_id is None or payment.status.is_final:
        raise DomainError("not_cancelable", status=payment.status)
    try:
        return provider.cancel_payment(payment.provider_id)
    except PaymentRefused as error:
        raise DomainError("not_cancelable", status=payment.status) from error
