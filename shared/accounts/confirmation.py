"""Confirming the login account's e-mail and the library e-mail from the links in the mails."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, update
from sqlalchemy.orm import Session

from shared import tokens
from shared.accounts.email_change import login_uses
from shared.db import UTCDateTime, rows_changed
from shared.errors import DomainError
from shared.mail.patron_mail import queue_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.models.patron import Patron

# A confirmation link is valid this long. An unconfirmed login account without a paying patron
# is purged after it; a paying patron's is kept (staff see it) and can ask for a new link.
CONFIRMATION_WINDOW = timedelta(seconds=tokens.MAX_AGES[tokens.CONFIRM_ACCOUNT])


def queue_account_confirmation(
    session: Session,
    account: LoginAccount,
    patron: Patron,
    mail: MailSettings,
    now: datetime,
    key: str | None = None,
) -> OutboxMail:
    """Mail the login account a link to confirm it, valid from now for 24 hours (once per key);
    the outbox row."""
    assert account.email is not None  # only an account with an address is confirmed by mail
    token = tokens.make_token(mail.secret_key, tokens.CONFIRM_ACCOUNT, {"account": account.id}, now)
    context = {"username": account.username, "url": mail.confirm_account_url(token)}
    return queue_mail(
        session, mail, "confirm_account", account.email, patron, context, now, key=key
    )


def confirm_account(session: Session, secret_key: str, token: str, now: datetime) -> LoginAccount:
    """Mark the login account confirmed (once; a second click changes nothing)."""
    payload = read_link(secret_key, tokens.CONFIRM_ACCOUNT, token, now)
    account = session.get(LoginAccount, payload["account"])
    if account is None:
        raise DomainError("account_gone")
    account.confirmed_at = account.confirmed_at or now
    session.flush()
    return account


@dataclass(frozen=True)
class LibraryEmailLink:
    """A working link to confirm a library e-mail: the patron's, for this address."""

    patron: Patron
    email: str

    @property
    def replaces(self) -> bool:
        """Whether confirming makes the address the library e-mail in place of another."""
        return self.patron.pending_library_email == self.email

    @property
    def moves_login(self) -> bool:
        """Whether confirming moves the login account's e-mail along (it used the old one)."""
        return self.replaces and login_uses(self.patron, self.patron.library_email)


def library_email_link(
    session: Session, secret_key: str, token: str, now: datetime
) -> LibraryEmailLink:
    """What a link to confirm a library e-mail is for, if its address is still the library
    e-mail or the new one waiting; else a refusal."""
    payload = read_link(secret_key, tokens.CONFIRM_LIBRARY_EMAIL, token, now)
    patron = session.get(Patron, payload["patron"])
    email = payload["email"]
    if patron is None or email not in (patron.library_email, patron.pending_library_email):
        raise DomainError("email_changed")
    return LibraryEmailLink(patron, email)


def confirm_library_email(session: Session, secret_key: str, token: str, now: datetime) -> Patron:
    """Mark the patron's library e-mail confirmed, if it is still the address in the link; a
    new address the desk entered becomes the library e-mail now. Each is one guarded UPDATE: a
    change saved since the link was read is never overwritten."""
    link = library_email_link(session, secret_key, token, now)
    if link.replaces:
        _take_new_library_email(session, link, now)
    else:
        _mark_confirmed(session, link, now)
    session.refresh(link.patron)
    return link.patron


def _take_new_library_email(session: Session, link: LibraryEmailLink, now: datetime) -> None:
    """The confirmed new address replaces the library e-mail; a login that used the old
    address to log in and be mailed uses the new one too (one address, as signup makes it)."""
    patron, new = link.patron, link.email
    old, account, moves_login = patron.library_email, patron.login_account, link.moves_login
    taken = (
        update(Patron)
        .where(Patron.id == patron.id, Patron.library_email == old)
        .where(Patron.pending_library_email == new)
        .values(library_email=new, pending_library_email=None, library_email_confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(session, taken) != 1:
        raise DomainError("email_changed")
    if account is not None and moves_login:
        moved = (
            update(LoginAccount)
            .where(LoginAccount.id == account.id, func.lower(LoginAccount.email) == old.lower())
            .values(email=new)
            .execution_options(synchronize_session=False)
        )
        session.execute(moved)
        session.refresh(account)


def _mark_confirmed(session: Session, link: LibraryEmailLink, now: datetime) -> None:
    """Mark the library e-mail confirmed (once), if it is still the link's address."""
    confirmed_at = Patron.library_email_confirmed_at
    marked = (
        update(Patron)
        .where(Patron.id == link.patron.id, Patron.library_email == link.email)
        .values(library_email_confirmed_at=func.coalesce(confirmed_at, literal(now, UTCDateTime())))
        .execution_options(synchronize_session=False)
    )
    if rows_changed(session, marked) != 1:
        raise DomainError("email_changed")


def confirm_new_email(session: Session, secret_key: str, token: str, now: datetime) -> LoginAccount:
    """Make the new address the login account's e-mail, if it is still the one asked for."""
    payload = read_link(secret_key, tokens.CONFIRM_NEW_EMAIL, token, now)
    account = session.get(LoginAccount, payload["account"])
    if account is None or account.pending_email != payload["email"]:
        raise DomainError("email_changed")
    account.email, account.pending_email = account.pending_email, None
    account.confirmed_at = account.confirmed_at or now
    session.flush()
    return account


def read_link(secret_key: str, purpose: str, token: str, now: datetime) -> dict[str, Any]:
    """The payload of a mailed link's token, or a refusal saying expired or invalid."""
    try:
        return tokens.read_token(secret_key, purpose, token, now)
    except tokens.TokenError as error:
        raise DomainError("link_expired" if error.expired else "link_invalid") from error
