"""What single sign-on tells a service about a patron, per scope.

`sub` is a random identifier made once per login account (never the card number, which changes
when a card is issued), the same for every service. Profile and library claims come from the
patron record linked to the account; when several are linked (home and guest libraries), a
regular membership first. A service may ask for one library with the scope `library:<ISIL>`: the
library claim is then about the record at that library (a guest's too), and names it.
"""

import re
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from shared.db import insert_or_ignore
from shared.library_codes import ISIL
from shared.models.account import LoginAccount
from shared.models.card import Card, CardRole, CardStatus
from shared.models.oidc import OidcSubject
from shared.models.patron import CustomerType, Patron, Subscription
from shared.timeutil import local_today

SCOPES = ("openid", "profile", "email", "library")
LIBRARY = "library"
ASKED_LIBRARY = re.compile(rf"library:({ISIL.pattern})")  # the library claim of one library
# Every token exchange runs these: built once, they are not built and keyed again each time.
STORED_SUBJECT = select(OidcSubject.subject).where(OidcSubject.account_id == bindparam("account"))
# One statement for all the claims read of the records: branch, subscriptions and their types.
LINKED_PATRONS = (
    select(Patron)
    .where(Patron.login_account_id == bindparam("account"))
    .options(
        joinedload(Patron.home_branch, innerjoin=True),
        joinedload(Patron.subscriptions).joinedload(Subscription.type),
    )
    .order_by(Patron.created_at.desc(), Patron.id.desc())
)
MAIN_CARD_NUMBER = (
    select(Card.number)
    .where(Card.patron_id == bindparam("patron"), Card.role == CardRole.MAIN)
    .where(Card.status == CardStatus.ACTIVE)
    .order_by(Card.issued_at.desc())
)


def user_claims(
    session: Session, account: LoginAccount, scope: str, now: datetime
) -> dict[str, Any]:
    """The claims the granted scopes allow, for the ID token and the userinfo endpoint."""
    scopes = scope.split()
    patron = linked_patron(session, account, now)
    claims: dict[str, Any] = {"sub": subject(session, account)}
    if "profile" in scopes:
        claims.update(_profile(session, account, patron))
    if "email" in scopes and account.email:
        claims.update(email=account.email, email_verified=account.confirmed_at is not None)
    asked = asked_library(scopes)
    if asked is not None:
        at_library = linked_patron(session, account, now, asked)
        claims["library"] = library_claim(at_library, local_today(now), asked)
    elif LIBRARY in scopes:
        claims["library"] = library_claim(patron, local_today(now))
    return claims


def supported_scope(scope: str) -> bool:
    """Whether the provider knows the scope: one of SCOPES, or the library claim of one library."""
    return scope in SCOPES or ASKED_LIBRARY.fullmatch(scope) is not None


def asked_library(scopes: list[str]) -> str | None:
    """The ISIL of the library the service asked for (scope `library:<ISIL>`), if it did."""
    found = (ASKED_LIBRARY.fullmatch(scope) for scope in scopes)
    return next((match[1] for match in found if match), None)


def subject(session: Session, account: LoginAccount) -> str:
    """The account's `sub`, made on first use (safe when two logins race)."""
    found = _stored_subject(session, account)
    if found is not None:
        return found
    values = {"account_id": account.id, "subject": secrets.token_urlsafe(24)}
    insert_or_ignore(session, OidcSubject, values)
    made = _stored_subject(session, account)
    assert made is not None  # inserted now, or by the login that raced this one
    return made


def _stored_subject(session: Session, account: LoginAccount) -> str | None:
    """The account's `sub`, if it has one yet."""
    return session.scalar(STORED_SUBJECT, {"account": account.id})


def linked_patron(
    session: Session, account: LoginAccount, now: datetime, isil: str | None = None
) -> Patron | None:
    """The home membership among the linked records (those at the library of `isil`, when
    given): a regular (not guest) one first, then one with a valid subscription that includes
    e-books, then the most recent."""
    linked = session.scalars(LINKED_PATRONS, {"account": account.id}).unique().all()
    patrons = [p for p in linked if isil is None or p.home_branch.isil == isil]
    today = local_today(now)

    def rank(patron: Patron) -> tuple[bool, bool]:
        claim = library_claim(patron, today)
        return patron.customer_type != CustomerType.GUEST, claim["online_library"]

    return max(patrons, key=rank, default=None)


def patron_number(session: Session, patron: Patron) -> str:
    """The number the patron logs in with: main card, else system, else temporary number."""
    card = session.scalars(MAIN_CARD_NUMBER, {"patron": patron.id}).first()
    return card or patron.system_number or patron.temporary_number or ""


def library_claim(patron: Patron | None, today: date, isil: str | None = None) -> dict[str, Any]:
    """The library (the one asked for, else the record's home library), whether a subscription
    is valid there today, whether it has e-books, whether the patron is a guest there, and the
    free loan strips of the valid subscriptions (a guest's: their guest subscription's)."""
    valid = [s for s in patron.subscriptions if s.usable_on(today)] if patron else []
    return {
        "isil": isil or (patron.home_branch.isil if patron else None),
        "subscription_valid": bool(valid),
        "online_library": any(s.type.online_library for s in valid),
        "guest": patron is not None and patron.customer_type == CustomerType.GUEST,
        "loan_strips": sum(s.loan_strips or 0 for s in valid),
    }


def _profile(session: Session, account: LoginAccount, patron: Patron | None) -> dict[str, Any]:
    """Name and login number; only the username when no patron record is linked yet."""
    if patron is None:
        return {"preferred_username": account.username, "locale": account.locale}
    family_name = " ".join(part for part in (patron.prefix, patron.surname) if part)
    claims = {
        "name": f"{patron.first_name or patron.initials} {family_name}".strip(),
        "family_name": family_name,
        "preferred_username": patron_number(session, patron),
        "locale": account.locale,
    }
    return {**claims, "given_name": patron.first_name} if patron.first_name else claims
