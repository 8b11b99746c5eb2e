"""What *Mijn account* shows of a subscription's changes."""

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.mail.patron_mail import pay_link
from shared.memberships.change import pending_change
from shared.models.patron import Subscription
from shared.payments import direct_debit


def change_summary(subscription: Subscription | None) -> dict[str, object]:
    """What the overview shows of changes: one planned or awaiting its first payment, or what
    a change left to pay of the new subscription's first period (an upgrade's difference), with
    its pay link."""
    if subscription is None:
        return {}
    start = subscription.start_date
    owed = direct_debit.period_open(db.session(), subscription, start)
    url = pay_link(mail_settings(), subscription.id, start, now()) if owed > 0 else ""
    return {"planned": pending_change(db.session(), subscription), "owed": owed, "url": url}
