"""A patron's own login account: what is linked to it, and the changes the patron may make."""

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import direct_debit
from shared.errors import DomainError
from shared.login import main_card
from shared.models.account import LoginAccount
from shared.models.card import Card, CardStatus
from shared.models.patron import Patron, PaymentPlan, Subscription, SubscriptionStatus
from shared.models.payment import Payment
from shared.oidc.tokens import revoke_for_account
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
    """The patron's cards, main card first (not numbers reserved for a card being encoded)."""
    query = select(Card).where(Card.patron_id == patron.id, Card.status != CardStatus.PENDING)
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
    revoke_for_account(session, account.id)
    session.flush()


def set_language(session: Session, account: LoginAccount, language: str) -> None:
    """The language of the portal and of mails to this account and its patrons."""
    if language not in LANGUAGES:
        raise DomainError("unknown_language")
    account.locale = language
    for patron in linked_patrons(session, account):
        patron.locale = language
    session.flush()


def link_memberships(session: Session, source: LoginAccount, target: LoginAccount) -> None:
    """Serve the source login's memberships with the target login (one login for every library);
    the source login, left without memberships, is removed."""
    if source.id == target.id:
        return
    for patron in linked_patrons(session, source):
        patron.login_account_id = target.id
    session.flush()
    session.delete(source)
    session.flush()


def forget_login(session: Session, patron: Patron) -> None:
    """Staff: unlink the patron's login so a new one can be made; a login left alone is removed."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    patron.login_account_id = None
    session.flush()
    if not linked_patrons(session, account):
        session.delete(account)
        session.flush()


def set_desk_password(session: Session, patron: Patron, now: datetime) -> tuple[LoginAccount, str]:
    """Staff: a new one-time password for a patron who cannot reset it by mail."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    password, account.password_hash = one_time_password()
    account.password_changed_at = now
    revoke_for_account(session, account.id)
    session.flush()
    return account, password


def create_desk_login(session: Session, patron: Patron, now: datetime) -> tuple[LoginAccount, str]:
    """Staff: a login without e-mail and a one-time password; the first login sets the rest."""
    if patron.login_account_id is not None:
        raise DomainError("has_login")
    password, password_hash = one_time_password()
    card = main_card(session, patron)
    username = card.number if card else patron.customer_number
    account = LoginAccount(
        username=username,
        username_key=username.casefold(),
        email=None,
        password_hash=password_hash,
        locale=patron.locale,
        created_at=now,
        confirmed_at=now,
    )
    session.add(account)
    session.flush()
    patron.login_account_id = account.id
    session.flush()
    return account, password


def one_time_password() -> tuple[str, str]:
    """A password for the desk to hand over once, and its hash."""
    password = secrets.token_urlsafe(9)
    return password, hash_password(password)
