"""Desks (*balies*) where staff take money, and the charges they waived."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base
from shared.models.catalogue import Branch


class Desk(Base):
    """A desk in a branch where money is taken, with the PIN terminal it has, if any."""

    __tablename__ = "desk"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]

    branch: Mapped[Branch] = relationship()


class Waiver(Base):
    """A charge the library let go (*kwijtgescholden*): what was still open of it, why, by whom
    and at which desk; its ledger entry is keyed `waiver:<charge key>`."""

    __tablename__ = "waiver"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the patron is erased: the day reports keep what was waived (shared/privacy).
    patron_id: Mapped[int | None] = mapped_column(ForeignKey("patron.id"), index=True)
    charge_key: Mapped[str] = mapped_column(String(120), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(String(200))
    # The login is kept by id and by name, as in the audit log: the name outlives the login.
    staff_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL")
    )
    staff_username: Mapped[str] = mapped_column(String(60))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
