"""ID document checks at a kiosk: that a patron's document was checked, and how it went."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.timeutil import utcnow


class IdCheckOutcome(StrEnum):
    """What a check found: only `verified` lets the patron collect a card."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    UNREADABLE = "unreadable"
    INTEGRITY = "integrity"


class IdCheck(Base):
    """One attempt to check a patron's ID document; never the document's data, only its type."""

    __tablename__ = "id_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    kiosk_device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_device.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    document_type: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[str | None] = mapped_column(String(24))

    patron: Mapped[Patron] = relationship()
    kiosk: Mapped[KioskDevice] = relationship()
