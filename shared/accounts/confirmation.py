"""Confirming the login account's e-mail and the library e-mail from the links in the mails."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from shared import tokens
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


def confirm_library_email(session: Session, secret_key: str, token: str, now: datetime) -> Patron:
    """Mark the patron's library e-mail confirmed, if it is still the address in the link; a
    new address the desk entered becomes the library e-mail now."""
    payload = read_link(secret_key, tokens.CONFIRM_LIBRARY_EMAIL, token, now)
    patron = session.get(Patron, payload["patron"])
    if patron is not None and patron.pending_library_email == payload["email"]:
        _take_new_library_email(patron)
    if patron is None or patron.library_email != payload["email"]:
        raise DomainError("email_changed")
    patron.library_email_confirmed_at = patron.library_email_confirmed_at or now
    session.flush()
    return patron


def _take_new_library_email(patron: Patron) -> None:
    """The confirmed new address replaces the library e-mail; a login that used the old
    address to log in and be mailed uses the new one too (one address, as signup makes it)."""
    old, new = patron.library_email, patron.pending_library_email
    assert new is not None  # the caller found it
    patron.library_email, patron.pending_library_email = new, None
    patron.library_email_confirmed_at = None
    account = patron.login_account
    if account is not None and old and (account.email or "").casefold() == old.casefold():
        account.email = new


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
