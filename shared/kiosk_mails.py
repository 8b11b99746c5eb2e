"""Mails the kiosk's flows send: the new card number, and a receipt when the printer failed."""

from sqlalchemy.orm import Session

from shared.activation import MailSettings, queue_mail
from shared.errors import DomainError
from shared.login import main_card, mask_number
from shared.models.card import Card
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentStatus
from shared.timeutil import LOCAL_TZ


def patron_email(patron: Patron) -> str | None:
    """Where mails to the patron go: the library's address for them, else their login's."""
    account = patron.login_account
    return patron.library_email or (account.email if account else None) or None


def queue_new_card_mail(
    session: Session, patron: Patron, card: Card, replaced: str, mail: MailSettings
) -> None:
    """Tell the patron their new card number and that it replaces the old one (if we can)."""
    to = patron_email(patron)
    if to is not None:
        context = {"number": card.number, "replaced": replaced}
        queue_mail(session, mail, "new_card", to, patron, context, key=f"new_card:card:{card.id}")


def queue_payment_receipt(
    session: Session, payment: Payment, device: KioskDevice, mail: MailSettings
) -> None:
    """Mail the receipt of a paid kiosk payment to its patron."""
    if payment.status != PaymentStatus.PAID or payment.patron_id is None:
        raise DomainError("not_paid", status=payment.status)
    patron = session.get_one(Patron, payment.patron_id)
    to = patron_email(patron)
    if to is None:
        raise DomainError("no_email")
    card = main_card(session, patron)
    context = {
        "payment": payment,
        "kiosk_branch": device.branch,
        "paid_at": (payment.paid_at or payment.updated_at).astimezone(LOCAL_TZ),
        "card_masked": mask_number(card.number) if card else None,
    }
    key = f"payment_receipt:payment:{payment.id}"
    queue_mail(session, mail, "payment_receipt", to, patron, context, key=key)
