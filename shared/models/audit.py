"""The audit log: what staff saw and changed, with the values before and after; append-only."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from shared.db import Base


class AuditEntry(Base):
    """One staff action: who, when, what, on which patron, and the values before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_patron_at", "patron_id", "at"),
        Index("ix_audit_entry_staff_at", "staff_account_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # The login is kept by id and by name: the name stays readable if the login is removed.
    staff_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL")
    )
    staff_username: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    # Checked at commit: erasing a patron deletes the record, then detaches its entries in the
    # one UPDATE the database allows for a record that is gone (migration 9c4e1a7b3d52).
    patron_id: Mapped[int | None] = mapped_column(
        ForeignKey("patron.id", deferrable=True, initially="DEFERRED")
    )
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AppendOnly(RuntimeError):
    """An audit entry was to be changed or deleted: the log only grows (the retention purge
    removes old entries in one statement, not through the session). The database refuses any
    other program's change as well (a trigger: migrations 63f425eeb6f4 and 9c4e1a7b3d52)."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(_mapper: Mapper[AuditEntry], _connection: object, entry: AuditEntry) -> None:
    """Refuse any change to a recorded entry."""
    raise AppendOnly(f"audit entry {entry.id} cannot be changed or deleted")
