"""Every row held about one patron, by table: what an export shows and an erasure removes."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, inspect, or_, select, tuple_
from sqlalchemy.orm import Session

from shared.db import Base
from shared.models.audit import AuditEntry
from shared.models.card import Card, CollectionCode
from shared.models.desk import Waiver
from shared.models.guest import GuestHome
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
Where = Callable[[list[Patron], Ids], ColumnElement[bool]]

# In this order: a row's conditions use the ids of rows found above it.
LOOK_UPS: tuple[tuple[type[Base], Where], ...] = (
    (Card, lambda records, ids: Card.patron_id.in_(ids["patron"])),
    (CollectionCode, lambda records, ids: CollectionCode.patron_id.in_(ids["patron"])),
    (PatronNameKey, lambda records, ids: PatronNameKey.patron_id.in_(ids["patron"])),
    (
        NameTerm,
        lambda records, ids: tuple_(NameTerm.variant, NameTerm.term, NameTerm.field).in_(
            term_keys([row for r in records for row in patron_key_rows(r)])
        ),
    ),
    (Subscription, lambda records, ids: Subscription.patron_id.in_(ids["patron"])),
    (
        SubscriptionChange,
        lambda records, ids: or_(
            SubscriptionChange.subscription_id.in_(ids["subscription"]),
            SubscriptionChange.new_subscription_id.in_(ids["subscription"]),
        ),
    ),
    (StepDone, lambda records, ids: StepDone.subscription_id.in_(ids["subscription"])),
    (Letter, lambda records, ids: Letter.patron_id.in_(ids["patron"])),
    (LedgerEntry, lambda records, ids: LedgerEntry.patron_id.in_(ids["patron"])),
    (
        Registration,
        lambda records, ids: or_(
            Registration.patron_id.in_(ids["patron"]),
            _of_login(Registration.patron_id, Registration.login_account_id, ids),
        ),
    ),
    (
        Payment,
        lambda records, ids: or_(
            Payment.patron_id.in_(ids["patron"]), Payment.registration_id.in_(ids["registration"])
        ),
    ),
    (Refund, lambda records, ids: Refund.payment_id.in_(ids["payment"])),
    (Chargeback, lambda records, ids: Chargeback.payment_id.in_(ids["payment"])),
    (Waiver, lambda records, ids: Waiver.patron_id.in_(ids["patron"])),
    (Mandate, lambda records, ids: Mandate.patron_id.in_(ids["patron"])),
    (IdCheck, lambda records, ids: IdCheck.patron_id.in_(ids["patron"])),
    (DeskIdCheck, lambda records, ids: DeskIdCheck.patron_id.in_(ids["patron"])),
    (GuestHome, lambda records, ids: GuestHome.patron_id.in_(ids["patron"])),
    (
        OutboxMail,
        lambda records, ids: or_(
            OutboxMail.patron_id.in_(ids["patron"]),
            _of_login(OutboxMail.patron_id, OutboxMail.account_id, ids),
        ),
    ),
    (AuditEntry, lambda records, ids: AuditEntry.patron_id.in_(ids["patron"])),
    (OidcConsent, lambda records, ids: OidcConsent.account_id.in_(ids["login_account"])),
    (OidcSubject, lambda records, ids: OidcSubject.account_id.in_(ids["login_account"])),
    (
        OidcAuthorizationCode,
        lambda records, ids: OidcAuthorizationCode.account_id.in_(ids["login_account"]),
    ),
    (OidcToken, lambda records, ids: OidcToken.account_id.in_(ids["login_account"])),
)


def holdings(session: Session, patron: Patron, with_login: bool = True) -> Holdings:
    """Every row about the patron, by table, oldest first: the record itself and the records
    merged into it (`patron`: this one first, then each merged record before those merged
    into it), and every row the look-ups find about any of them; `with_login`: its login
    account too, with what is the login's alone (a draft signup or mail without a patron, the
    online services' consents and tokens)."""
    records = [patron, *merged_into(session, patron)]
    login = [patron.login_account] if with_login and patron.login_account else []
    found: Holdings = {"patron": records, "login_account": login}
    ids: Ids = {"patron": [record.id for record in records]}
    ids["login_account"] = [account.id for account in login]
    for model, where in LOOK_UPS:
        order = inspect(model).primary_key
        rows = list(session.scalars(select(model).where(where(records, ids)).order_by(*order)))
        found[model.__tablename__] = rows
        ids[model.__tablename__] = [getattr(row, "id", 0) for row in rows]
    return found


def merged_into(session: Session, patron: Patron) -> list[Patron]:
    """The duplicate records merged into the patron, and those merged into them (a merge points
    the earlier ones at the record that stays, but a chain is followed all the same): each
    before the records merged into it."""
    found: list[Patron] = []
    level, seen = [patron.id], {patron.id}
    while level:
        query = select(Patron).where(Patron.merged_into_id.in_(level), Patron.id.not_in(seen))
        merged = list(session.scalars(query.order_by(Patron.id)))
        found += merged
        level = [record.id for record in merged]
        seen.update(level)
    return found


def _of_login(patron_id: Any, account_id: Any, ids: Ids) -> ColumnElement[bool]:
    """A row of the login found that belongs to no patron record (a draft, a mail)."""
    return and_(patron_id.is_(None), account_id.in_(ids["login_account"]))
