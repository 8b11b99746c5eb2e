"""Login accounts (*inlogaccount*): one per person, linkable to patron records."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class AccountStatus(StrEnum):
    """Whether a login account may log in."""

    ACTIVE = "active"
    BLOCKED = "blocked"


class AccountRole(StrEnum):
    """What a login account is for: a patron's own records, or the library's staff pages."""

    PATRON = "patron"
    STAFF = "staff"


class LoginAccount(Base):
    """Username, e-mail and password hash of a person who logs in."""

    __tablename__ = "login_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    username_key: Mapped[str] = mapped_column(String(60), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus, "status", 10), default=AccountStatus.ACTIVE
    )
    role: Mapped[AccountRole] = mapped_column(
        enum_column(AccountRole, "role", 10),
        default=AccountRole.PATRON,
        server_default=AccountRole.PATRON.value,
    )
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    pending_email: Mapped[str | None] = mapped_column(String(254))
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # A one-time password handed over by the desk or the CLI: changed at the next login.
    password_must_change: Mapped[bool] = mapped_column(default=False, server_default=false())
    terms_accepted_at: Mapped[datetime | None]

    # What Flask-Login asks of a user; plain attributes, so the domain needs no Flask import.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Whether the account may be logged in."""
        return self.status == AccountStatus.ACTIVE

    @property
    def is_staff(self) -> bool:
        """Whether the account may see the staff pages."""
        return self.role == AccountRole.STAFF

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.id)


# Logging in by e-mail compares lower(email): only an index on that expression serves it.
Index("ix_login_account_email_lower", func.lower(LoginAccount.email))
# The purge looks for unconfirmed accounts by age; confirmed ones (nearly all) are left out.
Index(
    "ix_login_account_unconfirmed_created",
    LoginAccount.created_at,
    sqlite_where=LoginAccount.confirmed_at.is_(None),
    postgresql_where=LoginAccount.confirmed_at.is_(None),
)
