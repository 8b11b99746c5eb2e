"""Forgotten passwords: a reset link valid 24 hours, usable once, only to a known e-mail."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared import tokens
from shared.activation import MailSettings
from shared.errors import DomainError
from shared.login import find_account
from shared.mail.outbox import enqueue
from shared.mail.render import render_mail
from shared.models.account import LoginAccount
from shared.passwords import hash_password


def request_reset(session: Session, login: str, mail: MailSettings, now: datetime) -> None:
    """Mail a reset link when the login has an e-mail address; silently nothing otherwise."""
    try:
        found = find_account(session, login)
    except DomainError:
        return
    if found is None or not found.account.email:
        return
    account = found.account
    token = tokens.make_token(mail.secret_key, tokens.PASSWORD_RESET, _payload(account))
    context = {"username": account.username, "url": mail.reset_password_url(token)}
    message = render_mail("password_reset", account.locale, account.email, context, mail.sender)
    key = f"password_reset:account:{account.id}:{now.isoformat()}"
    enqueue(session, message, kind="password_reset", dedupe_key=key, locale=account.locale)


def account_for_reset(session: Session, secret_key: str, token: str) -> LoginAccount:
    """The account a reset link is for, while the link is valid and unused."""
    try:
        payload = tokens.read_token(secret_key, tokens.PASSWORD_RESET, token)
    except tokens.TokenError as error:
        raise DomainError("link_expired" if error.expired else "link_invalid") from error
    account = session.get(LoginAccount, payload["account"])
    if account is None or payload != _payload(account):
        raise DomainError("link_invalid")
    return account


def reset_password(session: Session, account: LoginAccount, password: str, now: datetime) -> None:
    """Set the new password; the link stops working because the password changed."""
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    session.flush()


def _payload(account: LoginAccount) -> dict[str, object]:
    """What a reset link carries: the account and when its password last changed (single use)."""
    changed = account.password_changed_at or account.created_at
    return {"account": account.id, "since": changed.isoformat()}
