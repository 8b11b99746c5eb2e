"""A direct-debit schedule the provider ended: ours ends, the paid period stays, and the patron
is told once how to go on (pay the next period with iDEAL, or ask the library for a new
mandate)."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from shared.mail.patron_mail import pay_link, payment_mail_address, queue_mail
from shared.mail.settings import MailSettings
from shared.models.patron import REFUSED_STATUSES, Subscription
from shared.payments.direct_debit import (
    DAY,
    collected,
    period_end,
    period_owed,
    unpaid_periods,
)
from shared.payments.ended_schedules import end_direct_debit, mandate_made_invalid

log = logging.getLogger(__name__)


def still_collected(subscription: Subscription) -> bool:
    """Whether the subscription is (still) collected by a direct-debit schedule of ours (not
    while refused: we stopped that schedule, and lifting the refusal starts another)."""
    return collected(subscription) and subscription.status not in REFUSED_STATUSES


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
    """How to go on: pay an unpaid period first, if any, then the period after."""
    context = {
        "subscription": subscription,
        "mandate_invalid": mandate_made_invalid(session, subscription),
        **_what_to_pay(session, subscription, mail, now),
    }
    patron = subscription.patron
    key = f"direct_debit_ended:subscription:{subscription.id}:{subscription.mollie_subscription_id}"
    to = payment_mail_address(patron)
    queue_mail(session, mail, "direct_debit_ended", to, patron, context, now, key=key)


def _what_to_pay(
    session: Session, subscription: Subscription, mail: MailSettings, now: datetime
) -> dict[str, object]:
    """The first unpaid period (a failed or taken-back collection) with its link, the end of
    the paid time once it is paid, and the link of the period after that."""
    unpaid = next(iter(unpaid_periods(session, subscription)), None)
    paid_through = subscription.end_date
    if unpaid is not None:
        paid_through = max(paid_through, period_end(subscription, unpaid))
    next_start = paid_through + DAY
    return {
        "unpaid_start": unpaid,
        "unpaid_amount": unpaid and period_owed(session, subscription, unpaid),
        "unpaid_url": unpaid and pay_link(mail, subscription.id, unpaid, now),
        "paid_through": paid_through,
        "next_start": next_start,
        "url": pay_link(mail, subscription.id, next_start, now),
    }
