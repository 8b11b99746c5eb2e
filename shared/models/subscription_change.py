"""A change of a patron's subscription to another (*abonnement wijzigen*): an upgrade made at
once, or a change planned for the start of the next period."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.catalogue import SubscriptionType
from shared.models.patron import PaymentPlan, Subscription


class ChangeStatus(StrEnum):
    """Where a change is: waiting for the first payment that gives its mandate, planned for the
    next period, started (the new subscription runs or is to run), or undone before it started.

        awaiting → planned    its first payment is paid (a change to direct debit, as at signup)
        planned → started     the daily job starts it on `starts_on` (an upgrade: at once)
        awaiting, planned → undone   the patron or the desk takes it back before it started
    """

    AWAITING = "awaiting"
    PLANNED = "planned"
    STARTED = "started"
    UNDONE = "undone"


class SubscriptionChange(Base):
    """A change from the subscription `subscription_id` to a subscription of `type_code`,
    paid as `paid_by`, from `starts_on`; `new_subscription_id` once it started."""

    __tablename__ = "subscription_change"
    # The daily job finds the planned changes that start on a day.
    __table_args__ = (Index("ix_subscription_change_status_starts", "status", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("subscription_type.code"))
    paid_by: Mapped[PaymentPlan] = mapped_column(enum_column(PaymentPlan, "paid_by", 20))
    starts_on: Mapped[date]
    status: Mapped[ChangeStatus] = mapped_column(enum_column(ChangeStatus, "status", 12))
    # What an upgrade charged for the rest of the period (None for one at the next period).
    charged: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # The paid first payment that gives the mandate of a change to direct debit (as at signup).
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    new_subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"))
    by_desk: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]

    subscription: Mapped[Subscription] = relationship(foreign_keys=[subscription_id])
    new_subscription: Mapped[Subscription | None] = relationship(foreign_keys=[new_subscription_id])
    type: Mapped[SubscriptionType] = relationship()
