"""Forgotten passwords: a reset link valid 24 hours, usable once, only to a known e-mail."""

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from shared import tokens
from shared.accounts.changes import set_own_password
from shared.accounts.confirmation import read_link
from shared.accounts.login import find_accounts
from shared.accounts.passwords import hash_password, password_fingerprint
from shared.errors import DomainError
from shared.mail.outbox import enqueue
from shared.mail.render import render_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.timeutil import quarter_hour

_STAND_IN_HASH = hash_password("not-a-real-password")


def _stand_in() -> LoginAccount:
    """Whom the mail is made for when no real one is new (never added to the session)."""
    return LoginAccount(
        id=0,
        username="stand-in",
        email="nobody@example.invalid",
        locale="nl",
        password_hash=_STAND_IN_HASH,
    )


def request_reset(session: Session, login: str, mail: MailSettings, now: datetime) -> None:
    """Mail a reset link to each login with this name that has an e-mail address and is not
    blocked (at most one mail per login per quarter of an hour); silently nothing otherwise, in
    the same time.

    Writing to the outbox, and committing that, is the slow part: when no mail is new (an
    unknown login, one without e-mail, or a repeat within the quarter), a stand-in's mail is
    signed, rendered and written all the same, and taken out again before the commit."""
    try:
        found = [f.account for f in find_accounts(session, login) if _may_reset(f.account)]
    except DomainError:
        found = []
    queued = [_queue_reset(session, account, mail, now) for account in found]
    same_work_if_none_new(session, queued, mail, now)


def _may_reset(account: LoginAccount) -> bool:
    """Whether a reset link may go to the login: it has an address and is not blocked."""
    return bool(account.email) and account.is_active


def same_work_if_none_new(
    session: Session, queued: list[OutboxMail], mail: MailSettings, now: datetime
) -> None:
    """When none of the rows was queued now, sign, render and write a stand-in's mail and take
    it out again before the commit: an answer takes as long whether a mail went out or not."""
    if not any(row.created_at == now for row in queued):
        session.delete(_queue_reset(session, _stand_in(), mail, now))
        session.flush()


def _queue_reset(
    session: Session, account: LoginAccount, mail: MailSettings, now: datetime
) -> OutboxMail:
    """The account's reset mail in the outbox: queued now, or the one of this quarter."""
    key = f"password_reset:account:{account.id}:{quarter_hour(now)}"
    message = _reset_mail(account, mail, now)
    return enqueue(
        session,
        message,
        kind="password_reset",
        dedupe_key=key,
        locale=account.locale,
        now=now,
        account_id=account.id,
    )


def _reset_mail(account: LoginAccount, mail: MailSettings, now: datetime) -> EmailMessage:
    """The reset mail for the account, with its signed link, rendered."""
    context = {"username": account.username, "url": reset_link(account, mail, now)}
    to = account.email or ""
    return render_mail("password_reset", account.locale, to, context, mail.sender, now=now)


def reset_link(account: LoginAccount, mail: MailSettings, now: datetime) -> str:
    """The signed link that sets the account's password, valid 24 hours and once."""
    token = tokens.make_token(mail.secret_key, tokens.PASSWORD_RESET, _payload(account), now)
    return mail.reset_password_url(token)


def account_for_reset(session: Session, secret_key: str, token: str, now: datetime) -> LoginAccount:
    """The account a reset link is for, while the link is valid and unused and the account is
    not blocked (a link mailed before the block sets no password)."""
    try:
        payload = read_link(secret_key, tokens.PASSWORD_RESET, token, now)
    except DomainError as error:
        if error.code != "link_invalid":
            raise
        raise DomainError("reset_link_invalid") from error
    account = session.get(LoginAccount, payload["account"])
    if account is None or payload != _payload(account):
        raise DomainError("reset_link_invalid")
    if not account.is_active:
        raise DomainError("account_blocked")
    return account


def reset_password(session: Session, account: LoginAccount, password: str, now: datetime) -> None:
    """Set the new password; the link stops working because the password changed. The link
    went to the account's address, so using it confirms that address (a login the desk made
    is confirmed this way)."""
    set_own_password(session, account, password, now)
    account.confirmed_at = account.confirmed_at or now


def _payload(account: LoginAccount) -> dict[str, object]:
    """What a reset link carries: the account, its password's fingerprint (the link works until
    the password changes: once), and the address it went to (a link to an address since
    replaced stops working)."""
    password = password_fingerprint(account.password_hash)
    return {"account": account.id, "password": password, "email": account.email}
