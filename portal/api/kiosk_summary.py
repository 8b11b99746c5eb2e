"""The patron summary the kiosk shows: names only as initials and surname."""

from typing import Any

from portal.extensions import db
from portal.wiring import now
from shared.cards.issuing import needs_card
from shared.cards.lookup import main_card, mask_number
from shared.mail.patron_mail import patron_email
from shared.models.patron import REFUSED_STATUSES, Patron
from shared.patrons.subscriptions import current_subscription, valid_on
from shared.payments import ledger
from shared.timeutil import local_today


def patron_summary(patron: Patron) -> dict[str, Any]:
    """Number, short name, subscription (whether it is valid today, and whether the library
    refused it), what is owed and whether a card is to be collected."""
    card = main_card(db.session(), patron)
    subscription = current_subscription(patron)
    owed = ledger.balance(db.session(), patron.id)
    return {
        "number": card.number if card else patron.customer_number,
        "display_name": " ".join(n for n in (patron.initials, patron.prefix, patron.surname) if n),
        "valid_through": subscription.end_date.isoformat() if subscription else None,
        "subscription": subscription.type.name(patron.locale) if subscription else None,
        "subscription_valid": subscription is not None
        and valid_on(subscription, local_today(now())),
        "subscription_refused": subscription is not None
        and subscription.status in REFUSED_STATUSES,
        "owed": f"{owed:.2f}",
        "currency": "EUR",
        "has_card": card is not None,
        "card_masked": mask_number(card.number) if card else None,
        "needs_card": needs_card(db.session(), patron),
        "locale": patron.locale,
        "email_known": patron_email(patron) is not None,
    }
