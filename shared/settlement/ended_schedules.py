"""A direct-debit schedule the provider ended: ours ends, the paid period stays, and the patron
is told once how to go on (pay the next period with iDEAL, or ask the library for a new
mandate)."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from shared.mail.patron_mail import pay_link, payment_mail_address, queue_mail
from shared.mail.settings import MailSettings
from shared.models.patron import PaymentPlan, Subscription
from shared.payments.direct_debit import DAY, period_owed, unpaid_periods
from shared.payments.ended_schedules import end_direct_debit, mandate_made_invalid

log = logging.getLogger(__name__)


def still_collected(subscription: Subscription) -> bool:
    """Whether the subscription is (still) collected by a direct-debit schedule of ours."""
    return subscription.paid_by == PaymentPlan.DIRECT_DEBIT and subscription.cancelled_at is None


def end_and_tell(
    session: Session, subscription: Subscription, mail: MailSettings, now: datetime
) -> bool:
    """The provider ended the schedule: end direct debit and mail the patron, once however
    often (and by however many processes) it is noticed. True when it ended now."""
    if not end_direct_debit(session, subscription):
        return False
    _mail_patron(session, subscription, mail, now)
    log.warning(
        "subscription %s: schedule %s ended at the provider; paid through %s",
        subscription.id,
        subscription.mollie_subscription_id,
        subscription.end_date,
    )
    return True


def _mail_patron(
    session: Session, subscription: Subscription, mail: MailSettings, now: datetime
) -> None:
    """How to go on: a period left unpaid first (a failed or taken-back collection), then
    the link that pays the first period after the subscription's end."""
    patron, next_start = subscription.patron, subscription.end_date + DAY
    context = {
        "subscription": subscription,
        "next_start": next_start,
        "mandate_invalid": mandate_made_invalid(session, subscription),
        "url": pay_link(mail, subscription.id, next_start, now),
        "unpaid_url": None,
    }
    if unpaid := unpaid_periods(session, subscription):
        context |= {
            "unpaid_start": unpaid[0],
            "unpaid_amount": period_owed(session, subscription, unpaid[0]),
            "unpaid_url": pay_link(mail, subscription.id, unpaid[0], now),
        }
    key = f"direct_debit_ended:subscription:{subscription.id}:{subscription.mollie_subscription_id}"
    to = payment_mail_address(patron)
    queue_mail(session, mail, "direct_debit_ended", to, patron, context, now, key=key)
