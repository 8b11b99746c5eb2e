"""ID document checks at a kiosk: that a patron's document was checked, and how it went."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron


class IdCheckOutcome(StrEnum):
    """What a check found: only `verified` lets the patron collect a card."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    UNREADABLE = "unreadable"
    INTEGRITY = "integrity"
    EXPIRED = "expired"


class UnreadableReason(StrEnum):
    """Why a kiosk could not read a document's chip."""

    ACCESS_DENIED = "access_denied"
    DOCUMENT_REMOVED = "document_removed"
    CHIP_NOT_ANSWERING = "chip_not_answering"
    SECURITY_OBJECT = "security_object"
    READER_UNAVAILABLE = "reader_unavailable"
    TIMEOUT = "timeout"
    OTHER = "other"


class IdCheck(Base):
    """One attempt to check a patron's ID document; never the document's data, only its type."""

    __tablename__ = "id_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    kiosk_device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_device.id"))
    checked_at: Mapped[datetime] = mapped_column(index=True)
    outcome: Mapped[IdCheckOutcome] = mapped_column(enum_column(IdCheckOutcome, "outcome", 12))
    document_type: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[UnreadableReason | None] = mapped_column(
        enum_column(UnreadableReason, "reason", 24)
    )

    patron: Mapped[Patron] = relationship()
    kiosk: Mapped[KioskDevice] = relationship()


class DeskIdCheck(Base):
    """That staff checked a patron's ID document at the desk (*legitimatie gecontroleerd*): who
    and when, never the document's data. The login is kept by id and by name, as in the audit
    log: the name stays readable if the login is removed."""

    __tablename__ = "desk_id_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    checked_at: Mapped[datetime]
    staff_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL")
    )
    staff_username: Mapped[str] = mapped_column(String(60))
