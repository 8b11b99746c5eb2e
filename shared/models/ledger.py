"""The patron's ledger: every charge, payment and refund in its own row: each euro traceable."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class EntryType(StrEnum):
    """A charge adds to what the patron owes; a payment lowers it; a refund gives money back;
    a waiver lets one charge go (what was still open of it)."""

    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"
    WAIVER = "waiver"


class LedgerEntry(Base):
    """One movement on a patron's account; amounts are positive, the type gives the sign."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    entry_type: Mapped[EntryType] = mapped_column(enum_column(EntryType, "entry_type", 10))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    description: Mapped[str] = mapped_column(String(255))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"), index=True)
    created_at: Mapped[datetime]
