"""Paying what a patron owes on a kiosk's PIN terminal (a Mollie point-of-sale payment)."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import ledger
from shared.errors import DomainError
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentPurpose, PaymentStatus
from shared.money import to_amount
from shared.payments.provider import PaymentProvider, PaymentRefused
from shared.payments.service import PaymentUrls, apply_status, new_payment, submit_payment


def find_patron(session: Session, number: str) -> Patron | None:
    """The patron with this customer or system number."""
    return session.scalar(
        select(Patron).where((Patron.temporary_number == number) | (Patron.system_number == number))
    )


def start_terminal_payment(
    session: Session,
    device: KioskDevice,
    patron: Patron,
    amount: Decimal | None,
    request_key: str,
    provider: PaymentProvider,
    urls: PaymentUrls,
) -> Payment:
    """One terminal payment per kiosk request key, for what is owed or part of it."""
    if device.terminal_id is None:
        raise DomainError("no_terminal")
    owed = ledger.balance(session, patron.id)
    wanted = to_amount(amount) if amount is not None else owed
    if owed <= 0:
        raise DomainError("nothing_owed")
    if not Decimal("0") < wanted <= owed:
        raise DomainError("amount_not_owed", owed=owed)
    payment = new_payment(
        session,
        f"pos-{device.id}-{request_key}",
        1,
        patron_id=patron.id,
        amount=wanted,
        description=f"{device.branch.name}: {patron.customer_number}",
        method="pointofsale",
        purpose=PaymentPurpose.BALANCE,
        terminal_id=device.terminal_id,
        kiosk_device_id=device.id,
    )
    if payment.patron_id != patron.id or payment.amount != wanted:
        raise DomainError("request_key_reused")
    return submit_payment(session, payment, provider, urls, patron.locale)


def cancel_terminal_payment(session: Session, payment: Payment, provider: PaymentProvider) -> None:
    """Cancel while the terminal still allows it; refused once the card was accepted."""
    if payment.provider_id is None or PaymentStatus(payment.status).is_final:
        raise DomainError("not_cancelable", status=payment.status)
    try:
        remote = provider.cancel_payment(payment.provider_id)
    except PaymentRefused as error:
        raise DomainError("not_cancelable", status=payment.status) from error
    apply_status(session, payment, remote)
