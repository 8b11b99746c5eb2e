"""Every row held about one patron, by table: what an export shows and an erasure removes."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, inspect, or_, select, tuple_
from sqlalchemy.orm import Session

from shared.db import Base
from shared.models.audit import AuditEntry
from shared.models.card import Card, CollectionCode
from shared.models.id_check import DeskIdCheck, IdCheck
from shared.models.ledger import LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.mandate import Mandate
from shared.models.membership import Letter, StepDone
from shared.models.name_key import NameTerm, PatronNameKey
from shared.models.oidc import OidcAuthorizationCode, OidcConsent, OidcSubject, OidcToken
from shared.models.patron import Patron, Subscription
from shared.models.payment import Chargeback, Payment, Refund
from shared.models.registration import Registration
from shared.models.subscription_change import SubscriptionChange
from shared.patrons.name_keys import patron_key_rows, term_keys

Holdings = dict[str, list[Any]]  # table name → its rows about the patron
Ids = dict[str, list[int]]  # what later look-ups go by: the ids found before
Where = Callable[[Patron, Ids], ColumnElement[bool]]

# In this order: a row's conditions use the ids of rows found above it.
LOOK_UPS: tuple[tuple[type[Base], Where], ...] = (
    (Card, lambda p, ids: Card.patron_id == p.id),
    (CollectionCode, lambda p, ids: CollectionCode.patron_id == p.id),
    (PatronNameKey, lambda p, ids: PatronNameKey.patron_id == p.id),
    (
        NameTerm,
        lambda p, ids: tuple_(NameTerm.variant, NameTerm.term, NameTerm.field).in_(
            term_keys(patron_key_rows(p))
        ),
    ),
    (Subscription, lambda p, ids: Subscription.patron_id == p.id),
    (
        SubscriptionChange,
        lambda p, ids: or_(
            SubscriptionChange.subscription_id.in_(ids["subscription"]),
            SubscriptionChange.new_subscription_id.in_(ids["subscription"]),
        ),
    ),
    (StepDone, lambda p, ids: StepDone.subscription_id.in_(ids["subscription"])),
    (Letter, lambda p, ids: Letter.patron_id == p.id),
    (LedgerEntry, lambda p, ids: LedgerEntry.patron_id == p.id),
    (
        Registration,
        lambda p, ids: or_(
            Registration.patron_id == p.id,
            _of_login(Registration.patron_id, Registration.login_account_id, ids),
        ),
    ),
    (
        Payment,
        lambda p, ids: or_(
            Payment.patron_id == p.id, Payment.registration_id.in_(ids["registration"])
        ),
    ),
    (Refund, lambda p, ids: Refund.payment_id.in_(ids["payment"])),
    (Chargeback, lambda p, ids: Chargeback.payment_id.in_(ids["payment"])),
    (Mandate, lambda p, ids: Mandate.patron_id == p.id),
    (IdCheck, lambda p, ids: IdCheck.patron_id == p.id),
    (DeskIdCheck, lambda p, ids: DeskIdCheck.patron_id == p.id),
    (
        OutboxMail,
        lambda p, ids: or_(
            OutboxMail.patron_id == p.id,
            _of_login(OutboxMail.patron_id, OutboxMail.account_id, ids),
        ),
    ),
    (AuditEntry, lambda p, ids: AuditEntry.patron_id == p.id),
    (OidcConsent, lambda p, ids: OidcConsent.account_id.in_(ids["login_account"])),
    (OidcSubject, lambda p, ids: OidcSubject.account_id.in_(ids["login_account"])),
    (
        OidcAuthorizationCode,
        lambda p, ids: OidcAuthorizationCode.account_id.in_(ids["login_account"]),
    ),
    (OidcToken, lambda p, ids: OidcToken.account_id.in_(ids["login_account"])),
)


def holdings(session: Session, patron: Patron, with_login: bool = True) -> Holdings:
    """Every row about the patron, by table, oldest first: the record itself, and every row the
    look-ups find; `with_login`: its login account too, with what is the login's alone (a
    draft signup or mail without a patron, the online services' consents and tokens)."""
    login = [patron.login_account] if with_login and patron.login_account else []
    found: Holdings = {"patron": [patron], "login_account": login}
    ids: Ids = {"login_account": [account.id for account in login]}
    for model, where in LOOK_UPS:
        order = inspect(model).primary_key
        rows = list(session.scalars(select(model).where(where(patron, ids)).order_by(*order)))
        found[model.__tablename__] = rows
        ids[model.__tablename__] = [getattr(row, "id", 0) for row in rows]
    return found


def _of_login(patron_id: Any, account_id: Any, ids: Ids) -> ColumnElement[bool]:
    """A row of the login found that belongs to no patron record (a draft, a mail)."""
    return and_(patron_id.is_(None), account_id.in_(ids["login_account"]))
