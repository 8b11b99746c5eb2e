"""The renewal mails' context as the daily job stores it (JSON) and as the mail worker makes it
whole again to render them: what the mail shows of the subscription is what was true when the
job queued it, however soon or late it is sent."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from shared.models.catalogue import SubscriptionType
from shared.models.patron import Subscription

KIND = "renewal"  # the mails' kind in the outbox, and their templates (mail/renewal.*)


@dataclass(frozen=True)
class SubscriptionShown:
    """What a renewal mail shows of a subscription: its type and its dates when queued."""

    type: SubscriptionType
    start_date: date
    end_date: date
    grace_until: date | None


def stored_subscription(subscription: Subscription) -> dict[str, Any]:
    """The subscription as the mail shows it, as JSON."""
    grace = subscription.grace_until
    return {
        "type": subscription.type_code,
        "start_date": subscription.start_date.isoformat(),
        "end_date": subscription.end_date.isoformat(),
        "grace_until": grace.isoformat() if grace else None,
    }


def stored_payment(start: date, amount: Decimal, through: date, url: str) -> dict[str, Any]:
    """What a mail asking for the renewal's money shows of it, as JSON."""
    return {
        "start": start.isoformat(),
        "amount": str(amount),
        "renewed_through": through.isoformat(),
        "url": url,
    }


def renewal_context(session: Session, stored: dict[str, Any]) -> dict[str, object]:
    """The template's context of a renewal mail from what the job stored (the worker's loader)."""
    shown = stored["subscription"]
    grace = shown["grace_until"]
    subscription = SubscriptionShown(
        type=session.get_one(SubscriptionType, shown["type"]),
        start_date=date.fromisoformat(shown["start_date"]),
        end_date=date.fromisoformat(shown["end_date"]),
        grace_until=date.fromisoformat(grace) if grace else None,
    )
    context: dict[str, object] = {**stored, "subscription": subscription}
    if "amount" in stored:
        context |= {
            "start": date.fromisoformat(stored["start"]),
            "amount": Decimal(stored["amount"]),
            "renewed_through": date.fromisoformat(stored["renewed_through"]),
        }
    return context
