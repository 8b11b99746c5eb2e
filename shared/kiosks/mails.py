"""Mails the kiosk's flows send: a payment's receipt when the printer failed."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared.cards.lookup import main_card, mask_number
from shared.errors import DomainError
from shared.mail.patron_mail import patron_email, queue_mail
from shared.mail.settings import MailSettings
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentStatus
from shared.timeutil import LOCAL_TZ


def queue_payment_receipt(
    session: Session,
    payment: Payment,
    device: KioskDevice,
    mail: MailSettings,
    now: datetime,
    locale: str | None = None,
) -> None:
    """Mail the receipt of a paid kiosk payment to its patron, in `locale` (the language they
    used at the kiosk; their own if None)."""
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
    queue_mail(session, mail, "payment_receipt", to, patron, context, now, key=key, locale=locale)
