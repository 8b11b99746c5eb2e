"""The cost build-up of a new membership on the ledger, one entry per line: the first period's
charge, a selection code's discount as a credit against it, and the registration fee. The
balance stays the sum of the entries; each entry is booked once, however often this runs."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared.catalogue.costs import CostKind, CostLine, Costs
from shared.models.patron import Subscription
from shared.payments import ledger
from shared.payments.direct_debit import period_charge_key
from shared.translation import N_, in_language


def book_registration_costs(
    session: Session, subscription: Subscription, costs: Costs, now: datetime
) -> None:
    """Each line of the first subscription's build-up that is not nothing, in order (so the
    discount, a credit, pays off the period's charge before it): owed, or no longer owed."""
    for line in costs.lines:
        if line.amount == 0:
            continue
        description, key = _entry(subscription, costs, line)
        book = ledger.credit if line.amount < 0 else ledger.charge
        amount = abs(line.amount)
        book(session, subscription.patron_id, amount, description, key, now, subscription.id)


def _entry(subscription: Subscription, costs: Costs, line: CostLine) -> tuple[str, str]:
    """A line's description in the patron's language, and its key: the first period's is the
    key its payments settle (as the periods after it)."""
    locale = subscription.patron.locale
    if line.kind == CostKind.SUBSCRIPTION:
        start = subscription.start_date
        description = f"{subscription.type.name(locale)} {start.isoformat()}"
        return description, period_charge_key(subscription, start)
    if line.kind == CostKind.DISCOUNT:
        selection = costs.selection.name(locale) if costs.selection else ""
        description = in_language(locale, N_("Discount %(selection)s"), selection=selection)
        return description, f"discount:{subscription.id}"
    return in_language(locale, N_("Registration fee")), f"registration-fee:{subscription.id}"
