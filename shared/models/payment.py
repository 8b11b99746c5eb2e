"""Payments through a provider (Mollie), and their status as the provider reports it."""

import secrets
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class PaymentStatus(StrEnum):
    """Mollie's payment statuses, plus `created` before Mollie has answered."""

    CREATED = "created"
    OPEN = "open"
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    CANCELED = "canceled"
    EXPIRED = "expired"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        """Whether the provider will never change this status again (refunds aside)."""
        return self in FINAL_STATUSES

    @property
    def rank(self) -> int:
        """Order of progress: a status never moves to a lower rank."""
        return STATUS_RANK[self]

    @property
    def ended_unpaid(self) -> bool:
        """Whether the payment ended without money changing hands (failed, cancelled, expired)."""
        return self in UNPAID_ENDS


UNPAID_ENDS = frozenset({PaymentStatus.CANCELED, PaymentStatus.EXPIRED, PaymentStatus.FAILED})
FINAL_STATUSES = UNPAID_ENDS | {PaymentStatus.PAID}
STATUS_RANK = {
    PaymentStatus.CREATED: 0,
    PaymentStatus.OPEN: 1,
    PaymentStatus.PENDING: 2,
    PaymentStatus.AUTHORIZED: 3,
    **{status: 4 for status in FINAL_STATUSES},
}


class PaymentPurpose(StrEnum):
    """What a payment pays for, which decides what its being paid sets in motion."""

    REGISTRATION = "registration"
    PERIOD = "period"
    BALANCE = "balance"
    CHANGE = "change"  # a change to direct debit: its first period, giving the mandate


class SequenceType(StrEnum):
    """Mollie's sequence types: a one-off payment, the first of a mandate, or a collection."""

    ONEOFF = "oneoff"
    FIRST = "first"
    RECURRING = "recurring"


class PaymentMethod(StrEnum):
    """How a payment is made: the Mollie methods OpenBalie asks for (iDEAL | Wero online, SEPA
    direct debit collections, a PIN terminal in the branch), and cash at a desk (no provider)."""

    IDEAL = "ideal"
    DIRECT_DEBIT = "directdebit"
    POINT_OF_SALE = "pointofsale"
    CASH = "cash"


class RefundStatus(StrEnum):
    """Mollie's refund statuses, plus `requested` before Mollie has answered."""

    REQUESTED = "requested"
    QUEUED = "queued"
    PENDING = "pending"
    PROCESSING = "processing"
    REFUNDED = "refunded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        """Whether Mollie will never change this refund again."""
        return self in (RefundStatus.REFUNDED, RefundStatus.FAILED, RefundStatus.CANCELED)

    @property
    def returns_money(self) -> bool:
        """Whether the refund still counts against what may be refunded."""
        return self not in (RefundStatus.FAILED, RefundStatus.CANCELED)


def new_reference() -> str:
    """Our own public reference of a payment, used in URLs, on receipts and on the command line
    (hex: never a leading "-" that a command would take for an option)."""
    return secrets.token_hex(10)


class Payment(Base):
    """One payment attempt."""

    __tablename__ = "payment"
    # Whether a period of a subscription is paid: every collection and reconciliation asks.
    __table_args__ = (Index("ix_payment_subscription_period", "subscription_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True, default=new_reference)
    webhook_secret: Mapped[str] = mapped_column(
        String(48), default=lambda: secrets.token_urlsafe(24)
    )
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    patron_id: Mapped[int | None] = mapped_column(ForeignKey("patron.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    description: Mapped[str] = mapped_column(String(255))
    method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod, "method", 20), default=PaymentMethod.IDEAL
    )
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "status", 12), default=PaymentStatus.CREATED, index=True
    )
    checkout_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]  # when the status last moved
    paid_at: Mapped[datetime | None] = mapped_column(index=True)  # the desk's day report
    surplus: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[PaymentPurpose] = mapped_column(
        enum_column(PaymentPurpose, "purpose", 20), default=PaymentPurpose.REGISTRATION
    )
    sequence_type: Mapped[SequenceType] = mapped_column(
        enum_column(SequenceType, "sequence_type", 10), default=SequenceType.ONEOFF
    )
    customer_id: Mapped[str | None] = mapped_column(String(40))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"))
    period_start: Mapped[date | None]
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    kiosk_device_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id"))
    # Taken at a desk (cash, its terminal, a link it mailed): where, and by which staff login.
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"), index=True)
    staff_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL")
    )
    amount_refunded: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    # What banks took back (chargebacks); more than zero: the payment no longer pays its period.
    amount_charged_back: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    # When the patron it was of was erased: kept without them for the bookkeeping period.
    anonymised_at: Mapped[datetime | None]


class Refund(Base):
    """All or part of a paid payment given back: through the provider, or in cash at a desk."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    description: Mapped[str] = mapped_column(String(255))
    status: Mapped[RefundStatus] = mapped_column(
        enum_column(RefundStatus, "status", 12), default=RefundStatus.REQUESTED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(index=True)  # the desk's day report
    updated_at: Mapped[datetime]  # when the status last moved
    # Given at a desk: where, and by which staff login.
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"), index=True)
    staff_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL")
    )


class Chargeback(Base):
    """Money the payer's bank took back from a paid payment, recorded once per provider id."""

    __tablename__ = "chargeback"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(String(255))  # the bank's code and words, if given
    received_at: Mapped[datetime | None]  # when the provider received it
    recorded_at: Mapped[datetime] = mapped_column(index=True)  # the desk lists recent ones
    reversed_at: Mapped[datetime | None]  # when the bank gave it back, as the provider reports it
