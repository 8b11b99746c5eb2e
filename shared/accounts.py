"""A patron's own login account: what is linked to it, and the changes the patron may make."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import direct_debit
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.patron import Patron, PaymentPlan, Subscription, SubscriptionStatus
from shared.models.payment import Payment
from shared.passwords import hash_password, verify_password
from shared.payments.provider import PaymentProvider

LANGUAGES = ("nl", "en")


def linked_patrons(session: Session, account: LoginAccount) -> list[Patron]:
    """The patron records this login serves (home library first, then guest libraries)."""
    query = select(Patron).where(Patron.login_account_id == account.id)
    return list(session.scalars(query.order_by(Patron.created_at)))


def current_subscription(patron: Patron) -> Subscription | None:
    """The subscription that runs longest."""
    return max(patron.subscriptions, key=lambda s: (s.end_date, s.id), default=None)


def cards(session: Session, patron: Patron) -> list[Card]:
    """The patron's cards, main card first."""
    query = select(Card).where(Card.patron_id == patron.id)
    return sorted(session.scalars(query), key=lambda c: (c.role != "main", c.id))


def recent_payments(session: Session, patron: Patron, limit: int = 10) -> list[Payment]:
    """The patron's latest payments, newest first."""
    query = select(Payment).where(Payment.patron_id == patron.id, Payment.provider_id.is_not(None))
    return list(session.scalars(query.order_by(Payment.id.desc()).limit(limit)))


def owns(account: LoginAccount, patron: Patron | None) -> Patron:
    """The patron, if this login serves it; refused otherwise."""
    if patron is None or patron.login_account_id != account.id:
        raise DomainError("not_your_membership")
    return patron


def cancel_subscription(
    session: Session, patron: Patron, provider: PaymentProvider, now: datetime
) -> Subscription:
    """End the subscription after the paid period: stop direct debit, renew nothing."""
    subscription = current_subscription(patron)
    if subscription is None or subscription.cancelled_at is not None:
        raise DomainError("nothing_to_cancel")
    if subscription.paid_by == PaymentPlan.DIRECT_DEBIT:
        return direct_debit.revoke(session, patron, provider)
    subscription.status, subscription.cancelled_at = SubscriptionStatus.CANCELLED, now
    session.flush()
    return subscription


def change_password(
    session: Session, account: LoginAccount, old: str, new: str, now: datetime
) -> None:
    """A new password, after the old one is given."""
    if not verify_password(account.password_hash, old):
        raise DomainError("wrong_password")
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    session.flush()


def set_language(session: Session, account: LoginAccount, language: str) -> None:
    """The language of the portal and of mails to this account and its patrons."""
    if language not in LANGUAGES:
        raise DomainError("unknown_language")
    account.locale = language
    for patron in linked_patrons(session, account):
        patron.locale = language
    session.flush()
