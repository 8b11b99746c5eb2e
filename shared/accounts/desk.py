"""What the desk does for a patron's login: forget it, or hand over a one-time password."""

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from shared.accounts.password_reset import reset_link
from shared.accounts.passwords import hash_password
from shared.cards.lookup import main_card
from shared.errors import DomainError
from shared.mail.patron_mail import queue_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.oidc.tokens import revoke_for_account
from shared.patrons.lookup import linked_patrons


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
    """Staff: a new one-time password for a patron who cannot reset it by mail. The desk has
    seen the patron, so an unconfirmed login is confirmed now, without the address nobody
    confirmed (it may be mistyped): its first login asks for one, as for a login made here."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    if account.confirmed_at is None:
        account.email, account.confirmed_at = None, now
    password, account.password_hash = one_time_password()
    account.password_changed_at = now
    account.password_must_change = True
    revoke_for_account(session, account.id)
    session.flush()
    return account, password


def create_desk_login(session: Session, patron: Patron, now: datetime) -> tuple[LoginAccount, str]:
    """Staff: a login without e-mail and a one-time password; the first login sets the rest."""
    password, password_hash = one_time_password()
    account = _new_login(session, patron, None, password_hash, now)
    account.confirmed_at = now
    session.flush()
    return account, password


def create_mailed_login(
    session: Session, patron: Patron, email: str, mail: MailSettings, now: datetime
) -> LoginAccount:
    """Staff: a login with the patron's e-mail and no usable password yet (nobody knows it, so
    it must change); the patron gets a mail with its username and a link (24 hours) to set a
    password, which confirms the address."""
    _, password_hash = one_time_password()
    account = _new_login(session, patron, email, password_hash, now)
    account.password_must_change = True
    queue_login_mail(session, account, patron, mail, now, f"desk_login:account:{account.id}")
    return account


def queue_login_mail(
    session: Session,
    account: LoginAccount,
    patron: Patron,
    mail: MailSettings,
    now: datetime,
    key: str,
) -> OutboxMail:
    """The mail with the login's username and a link to set its password (once per key)."""
    assert account.email is not None  # only a login with an address gets this mail
    context = {"username": account.username, "url": reset_link(account, mail, now)}
    return queue_mail(session, mail, "desk_login", account.email, patron, context, now, key=key)


def _new_login(
    session: Session, patron: Patron, email: str | None, password_hash: str, now: datetime
) -> LoginAccount:
    """A login for a patron who has none, named after their main card or customer number."""
    if patron.login_account_id is not None:
        raise DomainError("has_login")
    card = main_card(session, patron)
    username = card.number if card else patron.customer_number
    account = LoginAccount(
        username=username,
        username_key=username.casefold(),
        email=email,
        password_hash=password_hash,
        locale=patron.locale,
        created_at=now,
    )
    session.add(account)
    session.flush()
    patron.login_account_id = account.id
    session.flush()
    return account


def one_time_password() -> tuple[str, str]:
    """A password for the desk to hand over once, and its hash."""
    password = secrets.token_urlsafe(9)
    return password, hash_password(password)
