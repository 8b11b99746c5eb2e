"""Failed logins per typed login name (and per name and address), whether or not it exists."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class LoginThrottle(Base):
    """Failures in a row for one key (a hash of the name, or of name and address), until when
    it must wait, and when it last failed (failures are forgotten after a quiet hour)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
