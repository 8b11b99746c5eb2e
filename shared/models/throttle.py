"""Failed logins per typed login name, so guessing slows down whether or not the account exists."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class LoginThrottle(Base):
    """Failures in a row for one login name (hashed), and until when it must wait."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
