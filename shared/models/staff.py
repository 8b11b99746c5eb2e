"""Staff members: a staff login's role at the desk and its second factor (TOTP)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.account import LoginAccount


class StaffRole(StrEnum):
    """What a staff member may do: the desk's work, or also manage staff, audit and catalogue."""

    DESK = "desk"  # *baliemedewerker*
    COORDINATOR = "coordinator"


class StaffMember(Base):
    """The staff side of a login account with the staff role."""

    __tablename__ = "staff_member"

    account_id: Mapped[int] = mapped_column(ForeignKey("login_account.id"), primary_key=True)
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, "role", 12))
    # Base32 TOTP secret; empty until the member enrols (staff from before second factors).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is never accepted twice (no replay).
    totp_last_step: Mapped[int | None]
    created_at: Mapped[datetime]

    account: Mapped[LoginAccount] = relationship()
