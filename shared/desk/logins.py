"""Patrons' login accounts at the desk: make one (mailed, or with a one-time password), send its
confirmation again, forget it, link an existing one, block and unblock it. Each is recorded in
the audit log with the login before and after; never a password or a link's token."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.accounts.confirmation import queue_account_confirmation
from shared.accounts.desk import (
    create_desk_login,
    create_mailed_login,
    forget_login,
    queue_login_mail,
    set_desk_password,
)
from shared.accounts.email_change import request_email_change
from shared.accounts.staff import find_by_username, valid_email
from shared.db import lock_row
from shared.desk import audit
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import AccountStatus, LoginAccount
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.oidc.tokens import revoke_for_account
from shared.patrons.lookup import linked_patrons
from shared.patrons.name_keys import surname_parts

CREATED, MAIL_SENT, PASSWORD_SET = "login.created", "login.mail_sent", "login.password_set"
FORGOTTEN, LINKED = "login.forgotten", "login.linked"
BLOCKED, UNBLOCKED = "login.blocked", "login.unblocked"
RESEND_WAIT = timedelta(minutes=15)
# The mails that carry a login's link to finish it (choose a password, confirm an address).
LINK_MAILS = ("desk_login", "confirm_account", "confirm_new_email")


def audited(account: LoginAccount | None) -> dict[str, Any]:
    """What the audit log keeps of a login: never its password."""
    if account is None:
        return {"login": None}
    return {
        "login": account.username,
        "email": account.email,
        "pending_email": account.pending_email,
        "confirmed": account.confirmed_at is not None,
        "status": account.status,
        "password_must_change": account.password_must_change,
    }


def patron_login(session: Session, patron: Patron) -> LoginAccount:
    """The patron's login, which the desk may change: a staff login never from here."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    if account.is_staff:
        raise DomainError("staff_login")
    return account


def make_mailed_login(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    email: str,
    mail: MailSettings,
    now: datetime,
) -> LoginAccount:
    """A login with this address (the record's library e-mail when none is typed); the patron
    is mailed a link to choose a password."""
    _lock(session, patron)
    typed = email.strip() or patron.library_email
    if not typed:
        raise DomainError("email_required")
    address = valid_email(typed)
    account = create_mailed_login(session, patron, address, mail, now)
    after = audited(account) | {"mailed_to": address}
    audit.record(session, staff, CREATED, now, patron.id, audited(None), after)
    return account


@dataclass(frozen=True)
class HandedOver:
    """A one-time password given at the desk: the login, the password (shown once), and the
    unconfirmed address the login lost (the first login asks for one)."""

    account: LoginAccount
    password: str
    dropped_email: str | None = None


def hand_over_password(
    session: Session, staff: LoginAccount, patron: Patron, now: datetime
) -> HandedOver:
    """A one-time password for the desk to hand over, changed at the next login: on the
    patron's login (an unconfirmed one is confirmed without its address), or on a new one
    (without e-mail: the first login asks for it)."""
    _lock(session, patron)
    if patron.login_account_id is None:
        account, password = create_desk_login(session, patron, now)
        audit.record(session, staff, CREATED, now, patron.id, audited(None), audited(account))
        return HandedOver(account, password)
    before = audited(patron_login(session, patron))
    account, password = set_desk_password(session, patron, now)
    audit.record(session, staff, PASSWORD_SET, now, patron.id, before, audited(account))
    return HandedOver(account, password, before["email"] if not before["confirmed"] else None)


def send_confirmation_again(
    session: Session, staff: LoginAccount, patron: Patron, mail: MailSettings, now: datetime
) -> str:
    """Mail the patron's unconfirmed login (or its new address) its link again, at most once
    in RESEND_WAIT since its last such mail; the address it went to. A blocked login is
    mailed nothing."""
    _lock(session, patron)
    account = patron_login(session, patron)
    if not account.is_active:
        raise DomainError("login_blocked_no_mail")
    _refuse_within_wait(session, account, now)
    before = audited(account)
    key = f"desk_resend:account:{account.id}:{now.isoformat()}"
    queued, kind = _queue_confirmation(session, account, patron, mail, now, key)
    after = audited(account) | {"mail": kind, "mailed_to": queued.to_address}
    audit.record(session, staff, MAIL_SENT, now, patron.id, before, after)
    return queued.to_address


def _refuse_within_wait(session: Session, account: LoginAccount, now: datetime) -> None:
    """Refuse while the login's last link (made at the desk, at signup, sent again, or for a
    new address) went out less than RESEND_WAIT ago: the patron may not have seen it yet."""
    records = select(Patron.id).where(Patron.login_account_id == account.id)
    last = session.scalar(
        select(func.max(OutboxMail.created_at)).where(
            OutboxMail.kind.in_(LINK_MAILS),
            (OutboxMail.account_id == account.id) | OutboxMail.patron_id.in_(records),
        )
    )
    if last is not None and now < last + RESEND_WAIT:
        raise DomainError("mail_sent_recently", until=last + RESEND_WAIT)


def _queue_confirmation(
    session: Session,
    account: LoginAccount,
    patron: Patron,
    mail: MailSettings,
    now: datetime,
    key: str,
) -> tuple[OutboxMail, str]:
    """The mail that finishes this login: the new address's link, the link to choose the
    password of a login made at the desk, or the confirmation of one made online."""
    if account.pending_email:
        address = account.pending_email
        return request_email_change(session, account, address, mail, now, key), "email"
    if account.confirmed_at is not None or not account.email:
        raise DomainError("nothing_to_confirm")
    if account.password_must_change:
        return queue_login_mail(session, account, patron, mail, now, key), "login"
    return queue_account_confirmation(session, account, patron, mail, now, key), "confirm"


def forget(session: Session, staff: LoginAccount, patron: Patron, now: datetime) -> bool:
    """Unlink the patron's login so a new one can be made; whether the login itself is kept
    (it still serves another record)."""
    _lock(session, patron)
    before = audited(patron_login(session, patron))
    account_id = patron.login_account_id
    forget_login(session, patron)
    kept = session.get(LoginAccount, account_id) is not None
    after = audited(None) | {"login_kept": kept}
    audit.record(session, staff, FORGOTTEN, now, patron.id, before, after)
    return kept


def find_login(session: Session, typed: str) -> LoginAccount:
    """The login with exactly this username or e-mail address (any case)."""
    typed = typed.strip()
    if "@" not in typed:
        account = find_by_username(session, typed)
        if account is None:
            raise DomainError("login_not_found")
        return account
    query = select(LoginAccount).where(func.lower(LoginAccount.email) == typed.casefold())
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise DomainError("login_not_found")
    if len(found) > 1:
        raise DomainError("login_ambiguous")
    return found[0]


@dataclass(frozen=True)
class Linkable:
    """A login the desk may link to a patron: the records it serves now, and whether one of
    them is the same person (else only a coordinator links it)."""

    account: LoginAccount
    records: list[Patron]
    same_person: bool


def check_linkable(
    session: Session, patron: Patron, account: LoginAccount, coordinator: bool
) -> Linkable:
    """Refuse linking a staff login, to a patron who has a login, or (unless a coordinator
    links it) a login none of whose records has the patron's birth date and surname."""
    if patron.login_account_id is not None:
        raise DomainError("has_login")
    if account.is_staff:
        raise DomainError("staff_login")
    records = linked_patrons(session, account)
    same = any(same_person(patron, record) for record in records)
    if not same and not coordinator:
        raise DomainError("login_other_person")
    return Linkable(account, records, same)


def same_person(patron: Patron, record: Patron) -> bool:
    """Whether two records are plausibly one person: the same birth date and a surname part in
    common, folded as the search folds names (a double surname, a prefix, accents, case)."""
    _, parts = surname_parts(patron.prefix, patron.surname)
    _, others = surname_parts(record.prefix, record.surname)
    return patron.birth_date == record.birth_date and not set(parts).isdisjoint(others)


def link(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    account_id: int,
    coordinator: bool,
    now: datetime,
) -> LoginAccount:
    """Let an existing login serve this patron too (a move, a guest registration)."""
    _lock(session, patron)
    account = session.get(LoginAccount, account_id)
    if account is None:
        raise DomainError("login_not_found")
    found = check_linkable(session, patron, account, coordinator)
    served = len(found.records)
    patron.login_account_id = account.id
    session.flush()
    before = audited(None) | {"records_served": served}
    after = audited(account) | {"records_served": served + 1, "same_person": found.same_person}
    audit.record(session, staff, LINKED, now, patron.id, before, after)
    return account


def set_blocked(
    session: Session, staff: LoginAccount, patron: Patron, blocked: bool, now: datetime
) -> LoginAccount:
    """Block the patron's login (its single sign-on tokens and sessions end), or unblock it."""
    _lock(session, patron)
    account = patron_login(session, patron)
    status = AccountStatus.BLOCKED if blocked else AccountStatus.ACTIVE
    if account.status == status:
        raise DomainError("login_blocked_already" if blocked else "login_not_blocked")
    before = audited(account)
    account.status = status
    if blocked:
        revoke_for_account(session, account.id)
    session.flush()
    action = BLOCKED if blocked else UNBLOCKED
    audit.record(session, staff, action, now, patron.id, before, audited(account))
    return account


def _lock(session: Session, patron: Patron) -> None:
    """Hold the patron's row until the commit (on SQLite too), read afresh: a second desk (or
    a double submit) acting on the same login waits and then sees what the first did."""
    lock_row(session, Patron, patron.id)
    session.refresh(patron)
