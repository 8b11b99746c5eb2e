"""Deleting unconfirmed login accounts after 24 hours, never one that belongs to a paying patron."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from shared.accounts.confirmation import CONFIRMATION_WINDOW
from shared.db import rows_changed
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.models.payment import UNPAID_ENDS, Payment
from shared.models.registration import Registration, RegistrationState


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted."""

    accounts: int
    registrations: int


def _has_live_payment() -> ColumnElement[bool]:
    """A registration with a payment that is paid or may still be paid."""
    return exists().where(
        Payment.registration_id == Registration.id, Payment.status.not_in(UNPAID_ENDS)
    )


def _account_is_protected() -> ColumnElement[bool]:
    """An account that a patron uses, or whose registration is paid or may still be paid."""
    used_by_patron = exists().where(Patron.login_account_id == LoginAccount.id)
    paying = exists().where(
        Registration.login_account_id == LoginAccount.id,
        (Registration.state != RegistrationState.DRAFT) | _has_live_payment(),
    )
    return used_by_patron | paying


def purge_unconfirmed(session: Session, now: datetime) -> PurgeReport:
    """Delete expired unconfirmed accounts and abandoned drafts; every guard sits in the DELETE."""
    cutoff = now - CONFIRMATION_WINDOW
    expired = (LoginAccount.confirmed_at.is_(None), LoginAccount.created_at < cutoff)
    doomed = select(LoginAccount.id).where(*expired, ~_account_is_protected())
    drafts = rows_changed(
        session,
        delete(Registration)
        .where(Registration.state == RegistrationState.DRAFT, ~_has_live_payment())
        .where(
            Registration.login_account_id.in_(doomed)
            | (Registration.login_account_id.is_(None) & (Registration.created_at < cutoff))
        )
        .execution_options(synchronize_session=False),
    )
    accounts = rows_changed(
        session,
        delete(LoginAccount)
        .where(*expired, ~_account_is_protected())
        .execution_options(synchronize_session=False),
    )
    return PurgeReport(accounts=accounts, registrations=drafts)


def paid_but_unconfirmed(session: Session, now: datetime) -> list[Patron]:
    """Patrons whose login account was not confirmed in time: for staff, never deleted."""
    query = (
        select(Patron)
        .join(LoginAccount, Patron.login_account_id == LoginAccount.id)
        .where(LoginAccount.confirmed_at.is_(None))
        .where(LoginAccount.created_at < now - CONFIRMATION_WINDOW)
    )
    return list(session.scalars(query.order_by(Patron.id)))
