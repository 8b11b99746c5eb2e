"""Patrons (*klant*) and their subscriptions (*abonnement*)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String, and_, case, func, literal_column
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch, Selection, SubscriptionType


class Gender(StrEnum):
    """Person type (*geslacht*) as the library records it."""

    MAN = "man"
    VROUW = "vrouw"
    NEUTRAAL = "neutraal"
    ONBEKEND = "onbekend"
    INSTELLING = "instelling"


class PatronStatus(StrEnum):
    """Whether the patron's record is in use (the only status the library system sets so far)."""

    ACTIVE = "active"


class CustomerType(StrEnum):
    """A member of this library, or a guest patron from another library (*landelijk lenen*)."""

    REGULAR = "regular"
    GUEST = "guest"


class SubscriptionStatus(StrEnum):
    """A subscription's status in the library system."""

    NORMAL = "normal"
    INVOICED = "invoiced"
    INVALID = "invalid"
    CANCELLED = "cancelled"
    BLACKLISTED = "blacklisted"


# The library refuses these whatever their dates (the manuals' "Pas niet geldig").
REFUSED_STATUSES = frozenset({SubscriptionStatus.INVALID, SubscriptionStatus.BLACKLISTED})


class Patron(Base):
    """A library member's record."""

    __tablename__ = "patron"

    id: Mapped[int] = mapped_column(primary_key=True)
    initials: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(20), default="")
    surname: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(60), default="")
    # The desk's duplicate check looks patrons up by birth date, and by address (below).
    birth_date: Mapped[date] = mapped_column(index=True)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender", 12))
    postcode: Mapped[str] = mapped_column(String(10))
    house_number: Mapped[str] = mapped_column(String(12))
    street: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    phone: Mapped[str] = mapped_column(String(30), default="")
    library_email: Mapped[str] = mapped_column(String(254))
    library_email_confirmed_at: Mapped[datetime | None]
    # A new library e-mail the desk entered, used once the patron confirms it from that address.
    pending_library_email: Mapped[str | None] = mapped_column(String(254))
    newsletter: Mapped[bool] = mapped_column(default=False)
    iban: Mapped[str] = mapped_column(String(34), default="")
    home_branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    customer_type: Mapped[CustomerType] = mapped_column(
        enum_column(CustomerType, "customer_type", 12), default=CustomerType.REGULAR
    )
    status: Mapped[PatronStatus] = mapped_column(
        enum_column(PatronStatus, "status", 12), default=PatronStatus.ACTIVE
    )
    lending_blocked: Mapped[bool] = mapped_column(default=True)
    temporary_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    system_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    login_account_id: Mapped[int | None] = mapped_column(ForeignKey("login_account.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    mollie_customer_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    # A duplicate merged into another record (*ontdubbeld*): kept, never deleted; its numbers
    # find that record (shared/patrons/lookup.py) and nothing acts on it any more.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patron.id"), index=True)
    merged_at: Mapped[datetime | None]

    home_branch: Mapped[Branch] = relationship()
    login_account: Mapped[LoginAccount | None] = relationship()
    subscriptions: Mapped[list["Subscription"]] = relationship(back_populates="patron")

    @property
    def display_name(self) -> str:
        """The name as the library writes it: initials, prefix and surname (A.M. de Vries)."""
        return " ".join(part for part in (self.initials, self.prefix, self.surname) if part)

    @property
    def customer_number(self) -> str:
        """The number the patron uses until a card is issued."""
        return self.system_number or self.temporary_number or ""


# The library e-mail on the record logs in too, compared as lower(library_email).
Index("ix_patron_library_email_lower", func.lower(Patron.library_email))
Index("ix_patron_postcode_house_number", Patron.postcode, Patron.house_number)
# The desk finds patrons by postcode as typed without spaces in any case.
# (Spaces as literals: SQLite uses an index on an expression only for that very expression.)
postcode_compact = func.upper(
    func.replace(Patron.postcode, literal_column("' '"), literal_column("''"))
)
Index("ix_patron_postcode_compact", postcode_compact)


class PaymentPlan(StrEnum):
    """How a subscription is paid: each period at once, or by direct debit (*incasso*)."""

    ONCE = "once"
    DIRECT_DEBIT = "direct_debit"


class Subscription(Base):
    """A patron's subscription period."""

    __tablename__ = "subscription"
    # Reconciliation looks up direct debits by when they end, and the weekly schedule check
    # those not asked about this week (and see schedule_to_start). The daily membership job
    # looks up those whose grace period ends, and those of a type (free, youth) that end.
    __table_args__ = (
        Index("ix_subscription_plan_end_checked", "paid_by", "end_date", "schedule_checked_on"),
        Index("ix_subscription_status_grace", "status", "grace_until"),
        Index("ix_subscription_type_end", "type_code", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("subscription_type.code"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[SubscriptionStatus] = mapped_column(
        enum_column(SubscriptionStatus, "status", 12), default=SubscriptionStatus.NORMAL
    )
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    discount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    # The selection code the desk recorded (an action, or who a free subscription is for); a
    # code of the catalogue, which never removes one (no foreign key: adding one to this table
    # on SQLite means copying it, and its index on an expression with it).
    selection_code: Mapped[str | None] = mapped_column(String(20))
    paid_by: Mapped[PaymentPlan] = mapped_column(enum_column(PaymentPlan, "paid_by", 20))
    renewal_start: Mapped[date | None]
    mollie_subscription_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(48))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(40))  # a CancelReason code (catalogue)
    # Why the desk set the status (invalid, blacklisted) and when any status was last set.
    status_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status_changed_at: Mapped[datetime | None]
    # An unpaid renewal keeps the subscription valid through this day (the grace period).
    grace_until: Mapped[date | None]
    # Free loan strips granted with it (catalogue: loan_strips), the patron's entitlement.
    loan_strips: Mapped[int | None]
    # When the provider's schedule was last fetched to see it still runs (Mollie ends schedules
    # without a webhook); reconciliation asks about each once before its next collection.
    schedule_checked_on: Mapped[date | None]

    patron: Mapped[Patron] = relationship(back_populates="subscriptions")
    type: Mapped[SubscriptionType] = relationship()
    selection: Mapped[Selection | None] = relationship(
        primaryjoin=lambda: foreign(Subscription.selection_code) == Selection.code, viewonly=True
    )

    @property
    def runs_through(self) -> date:
        """The last day it may be used, its status allowing: its end, or the end of the grace
        period of an unpaid renewal."""
        return max(self.end_date, self.grace_until) if self.grace_until else self.end_date

    def usable_on(self, day: date) -> bool:
        """Whether it lets its holder use the library on `day`: started, not refused (invalid,
        blacklisted) and not run out (a cancelled one runs to its end date)."""
        refused = self.status in REFUSED_STATUSES
        return not refused and self.start_date <= day <= self.runs_through


# The start date of a direct debit whose provider schedule is not started yet, else NULL. An index
# on it holds only those few. (A partial index on "mollie_subscription_id IS NULL" loses to the
# unique index on that column, which SQLite's planner takes for one row where it is most rows.)
schedule_to_start = case(
    (
        and_(
            Subscription.paid_by == literal_column(f"'{PaymentPlan.DIRECT_DEBIT.value}'"),
            Subscription.mollie_subscription_id.is_(None),
        ),
        Subscription.start_date,
    )
)
Index("ix_subscription_schedule_to_start", schedule_to_start)
