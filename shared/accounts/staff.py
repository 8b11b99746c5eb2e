"""Staff logins: login accounts with the staff role, which see the staff pages of the portal."""

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.desk import one_time_password
from shared.errors import DomainError
from shared.models.account import AccountRole, LoginAccount
from shared.text import is_plain_text, max_length


def create_staff_login(
    session: Session, username: str, email: str, now: datetime
) -> tuple[LoginAccount, str]:
    """A confirmed staff login without patron record; returns it with its password (shown once)."""
    username = _valid_username(username)
    if find_by_username(session, username) is not None:
        raise DomainError("username_taken", username=username)
    password, password_hash = one_time_password()
    account = LoginAccount(
        username=username,
        username_key=username.casefold(),
        email=_valid_email(email),
        password_hash=password_hash,
        role=AccountRole.STAFF,
        created_at=now,
        confirmed_at=now,
        password_changed_at=now,
    )
    session.add(account)
    session.flush()
    return account, password


def set_staff_role(session: Session, username: str, staff: bool) -> LoginAccount:
    """Give an existing login the staff role, or take it back (it is then a patron login)."""
    account = find_by_username(session, username)
    if account is None:
        raise DomainError("unknown_login", username=username)
    account.role = AccountRole.STAFF if staff else AccountRole.PATRON
    session.flush()
    return account


def find_by_username(session: Session, username: str) -> LoginAccount | None:
    """The login account with this username, in any case."""
    key = username.strip().casefold()
    return session.scalar(select(LoginAccount).where(LoginAccount.username_key == key))


def _valid_username(username: str) -> str:
    """The username without surrounding spaces; refused when empty, too long, no plain text or an
    address (a login with "@" is looked up by e-mail, so it could never be typed as a username)."""
    username = username.strip()
    too_long = len(username) > max_length(LoginAccount.username)
    if not username or too_long or "@" in username or not is_plain_text(username):
        raise DomainError("invalid_username", username=username)
    return username


def _valid_email(email: str) -> str:
    """The address in normal form, or refused."""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise DomainError("invalid_email", email=email) from error
