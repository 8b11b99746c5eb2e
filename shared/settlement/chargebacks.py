"""What a chargeback sets in motion: the amount owed again, a paid period unpaid again, and a
mail to the patron; and its reversal: the amount credited, the period paid again. Once per
chargeback and once per reversal, whoever reported it (webhook or reconciliation)."""

import logging
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.mail.patron_mail import pay_link, payment_mail_address, queue_mail
from shared.mail.settings import MailSettings
from shared.models.patron import Patron, Subscription
from shared.models.payment import Chargeback, Payment
from shared.payments import direct_debit, ledger
from shared.payments.chargebacks import record_chargeback, record_reversal
from shared.payments.provider import ProviderChargeback

log = logging.getLogger(__name__)


def charge_back(
    session: Session,
    payment: Payment,
    remote: list[ProviderChargeback],
    mail: MailSettings,
    now: datetime,
) -> list[Chargeback]:
    """Record the payment's chargebacks and their reversals: for those new to us, act and mail
    once; for those newly reversed, credit the patron and count the payment again, once."""
    # The payment first, then its chargebacks in one order: two processes never wait on each
    # other's half (a webhook and reconcile reporting the same ones).
    lock_row(session, Payment, payment.id)
    ordered = sorted(remote, key=lambda item: item.id)
    new = [c for item in ordered if (c := record_chargeback(session, payment, item, now))]
    if new and payment.patron_id is not None:
        url = _period_unpaid_again(session, payment, mail, now)
        _mail(session, payment, new, url, mail, now)
    given_back = [c for item in ordered if (c := record_reversal(session, payment, item, now))]
    if given_back and payment.patron_id is not None:
        direct_debit.payment_restored(session, payment)
    return new


def _period_unpaid_again(
    session: Session, payment: Payment, mail: MailSettings, now: datetime
) -> str | None:
    """A period's payment taken back: the period unpaid (invoiced); its pay link, if owed."""
    # A kiosk payment towards the balance pays no period: it is only owed again.
    if payment.subscription_id is None or payment.period_start is None:
        return None
    if not direct_debit.period_failed(session, payment, now):
        return None
    return pay_link(mail, payment.subscription_id, payment.period_start, now)


def _mail(
    session: Session,
    payment: Payment,
    new: list[Chargeback],
    url: str | None,
    mail: MailSettings,
    now: datetime,
) -> None:
    """Tell the patron what was taken back and how to pay it: the period's link, or the desk."""
    patron = session.get_one(Patron, payment.patron_id)
    subscription = session.get(Subscription, payment.subscription_id or 0)
    amount = sum((c.amount for c in new), Decimal(0))
    context = {
        "payment": payment,
        "subscription": subscription,
        "amount": amount,
        "owed": ledger.balance(session, patron.id),
        "url": url,
    }
    to = payment_mail_address(patron)
    key = f"chargeback:{new[0].provider_id}"
    queue_mail(session, mail, "chargeback", to, patron, context, now, key=key)
