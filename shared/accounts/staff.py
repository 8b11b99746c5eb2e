"""Staff logins: login accounts with the staff role and a staff member's role (desk or
coordinator) and second factor, which see the staff pages of the portal."""

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from shared.accounts.desk import one_time_password
from shared.accounts.second_factor import new_secret, otpauth_uri
from shared.errors import DomainError
from shared.models.account import AccountRole, LoginAccount
from shared.models.staff import StaffMember, StaffRole
from shared.text import is_plain_text, max_length


@dataclass(frozen=True)
class NewStaff:
    """A staff login just made, with what is shown to its member once."""

    account: LoginAccount
    password: str
    otpauth_uri: str


def create_staff_login(
    session: Session, username: str, email: str, role: StaffRole, now: datetime
) -> NewStaff:
    """A confirmed staff login without patron record, with its role and second factor; its
    one-time password must be changed at the first login."""
    username = _valid_username(username)
    if find_by_username(session, username) is not None:
        raise DomainError("username_taken", username=username)
    password, password_hash = one_time_password()
    account = LoginAccount(
        username=username,
        username_key=username.casefold(),
        email=valid_email(email),
        password_hash=password_hash,
        password_must_change=True,
        role=AccountRole.STAFF,
        created_at=now,
        confirmed_at=now,
        password_changed_at=now,
    )
    session.add(account)
    session.flush()
    secret = new_secret()
    session.add(StaffMember(account=account, role=role, totp_secret=secret, created_at=now))
    session.flush()
    return NewStaff(account, password, otpauth_uri(secret, username))


def set_staff_role(
    session: Session, username: str, role: StaffRole | None, now: datetime
) -> str | None:
    """Give an existing login a staff role, or take it back with None (it is then a patron
    login); the otpauth URI of a second factor made for a member who had none (shown once, so
    that a password alone never sets one up)."""
    account = find_by_username(session, username)
    if account is None:
        raise DomainError("unknown_login", username=username)
    member = session.get(StaffMember, account.id)
    account.role = AccountRole.PATRON if role is None else AccountRole.STAFF
    if role is None:
        if member is not None:
            session.delete(member)
        session.flush()
        return None
    member = member or StaffMember(account=account, created_at=now)
    member.role = role
    made = member.totp_secret is None
    member.totp_secret = member.totp_secret or new_secret()
    session.add(member)
    session.flush()
    return otpauth_uri(member.totp_secret, account.username) if made else None


def staff_member(session: Session, account: LoginAccount) -> StaffMember | None:
    """The staff side of a login; None for a patron's login."""
    return session.get(StaffMember, account.id) if account.is_staff else None


def staff_members(session: Session) -> list[StaffMember]:
    """Every staff member with their login, by username."""
    query = select(StaffMember).join(StaffMember.account).order_by(LoginAccount.username_key)
    return list(session.scalars(query.options(contains_eager(StaffMember.account))))


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


def valid_email(email: str) -> str:
    """The address in normal form, or refused."""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise DomainError("invalid_email", email=email) from error
