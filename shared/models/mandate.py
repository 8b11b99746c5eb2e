"""SEPA direct-debit mandates (*machtiging*) as the payment provider holds them."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class MandateStatus(StrEnum):
    """Mollie's mandate statuses, plus `revoked` once the patron withdrew it."""

    PENDING = "pending"
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"

    @property
    def in_force(self) -> bool:
        """Whether money may (soon) be collected on the mandate."""
        return self in (MandateStatus.VALID, MandateStatus.PENDING)


class Mandate(Base):
    """The patron's permission to collect by direct debit: account, holder and date."""

    __tablename__ = "mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    iban: Mapped[str] = mapped_column(String(34))
    holder_name: Mapped[str] = mapped_column(String(120))
    bic: Mapped[str] = mapped_column(String(11), default="")
    signature_date: Mapped[date | None]
    status: Mapped[MandateStatus] = mapped_column(
        enum_column(MandateStatus, "status", 10), default=MandateStatus.VALID
    )
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    @property
    def masked_iban(self) -> str:
        """The IBAN with all but the country, check digits and last four hidden."""
        compact = self.iban.replace(" ", "")
        return f"{compact[:4]} •••• {compact[-4:]}" if len(compact) > 8 else compact
