"""A guest patron's home (*landelijk lenen*, seed 003): the library that issued their own card and
the card's number there. The pair is who the guest is: two libraries' cards with the same digits
are two people."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.patron import Patron


class Verification(StrEnum):
    """Whether the home library confirmed the guest (asked over SIP2) or could not be asked (no
    home library configured for the ISIL: registered on the ID document, seed 003)."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


class GuestHome(Base):
    """The home library and card of a guest patron, and what the home library last said."""

    __tablename__ = "guest_home"
    __table_args__ = (UniqueConstraint("isil", "home_card_number", name="uq_guest_home_card"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), unique=True)
    isil: Mapped[str] = mapped_column(String(16))
    home_card_number: Mapped[str] = mapped_column(String(20))
    verification: Mapped[Verification] = mapped_column(
        enum_column(Verification, "verification", 12)
    )
    # The last day of the home subscription, as the home library last said (None: not asked).
    home_valid_through: Mapped[date | None]
    registered_at: Mapped[datetime]
    # Seed 003's *klanttype* when registered again after the guest subscription ended: "04",
    # as the library system asks (None: the first registration).
    customer_type_code: Mapped[str | None] = mapped_column(String(2))
    synced_at: Mapped[datetime | None]
    # Why the last nightly check did not answer (the home library down): tried again next night.
    sync_error: Mapped[str] = mapped_column(String(200), default="", server_default="")

    patron: Mapped[Patron] = relationship()
