"""What *Mijn account* shows of a subscription's changes."""

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.mail.patron_mail import pay_link
from shared.memberships.change import pending_change
from shared.models.patron import Subscription
from shared.patrons.changes import still_fits
from shared.payments import direct_debit
from shared.timeutil import local_today


def change_summary(subscription: Subscription | None) -> dict[str, object]:
    """What the overview shows of changes: one planned or awaiting its first payment (and
    whether it still fits: only then may it be paid), or what a change left to pay of the new
    subscription's first period (an upgrade's difference), with its pay link."""
    if subscription is None:
        return {}
    start = subscription.start_date
    owed = direct_debit.period_open(db.session(), subscription, start)
    url = pay_link(mail_settings(), subscription.id, start, now()) if owed > 0 else ""
    planned = pending_change(db.session(), subscription)
    fits = planned is not None and still_fits(planned, subscription, local_today(now()))
    return {"planned": planned, "fits": fits, "owed": owed, "url": url}
