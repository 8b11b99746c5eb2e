"""What the daily membership job did, once per subscription, period and step; and the letters it
left for the desk to print."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.patron import Patron, Subscription


class Step(StrEnum):
    """A step of a membership's year (see shared/memberships/daily.py)."""

    NOTICE = "notice"  # the renewal is due soon: a mail with a pay link, or a letter
    INVOICE = "invoice"  # the end passed unpaid: the renewal charged, the subscription invoiced
    REMINDER = "reminder"  # the grace period ends soon
    LAPSED = "lapsed"  # the grace period ended unpaid: lending blocked
    RENEWED_FREE = "renewed_free"  # a free subscription renewed on its own
    MOVED = "moved"  # aged out: moved to the subscription the catalogue names next
    ENDED = "ended"  # aged out with nothing next: ended, with a mail offering others


class StepDone(Base):
    """One step done for the period of a subscription that ends on `ends_on`: the row is the
    claim, so a step runs once however often (and in however many processes) the job runs."""

    __tablename__ = "membership_step"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), primary_key=True)
    ends_on: Mapped[date] = mapped_column(primary_key=True)
    step: Mapped[Step] = mapped_column(enum_column(Step, "step", 16), primary_key=True)
    done_at: Mapped[datetime]


class Letter(Base):
    """A letter (*contributiebrief*) for a patron without an e-mail address, waiting in the
    desk's print queue until a staff member marks it printed."""

    __tablename__ = "letter"
    __table_args__ = (Index("ix_letter_printed_created", "printed_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"))
    period_start: Mapped[date]
    step: Mapped[Step] = mapped_column(enum_column(Step, "step", 16))
    # What the letter asks to pay, as it was owed when made: a reprint says the same.
    amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime]
    printed_at: Mapped[datetime | None]
    printed_by: Mapped[str] = mapped_column(String(60), default="")

    patron: Mapped[Patron] = relationship()
    subscription: Mapped[Subscription] = relationship()
