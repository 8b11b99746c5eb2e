"""The library's catalogue data: branches and the subscription types it offers."""

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Numeric, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class Validity(StrEnum):
    """How a subscription's period ends: at the end of the month its term ends in (the
    *vervalmaand*), exactly a term later (the day before), at an age (youth), or never."""

    END_OF_MONTH = "end_of_month"
    EXACT = "exact"
    UNTIL_AGE = "until_age"
    FIXED = "fixed"


class PatronLimit(StrEnum):
    """How often one patron may hold a subscription: one running at a time (*max 1 per
    persoon*: staff), or once ever (a trial)."""

    ONE_AT_A_TIME = "one_at_a_time"
    ONCE_EVER = "once_ever"


class GuestRegistration(StrEnum):
    """Which registration of a guest patron a subscription is for (seed 003)."""

    FIRST = "first"
    AGAIN = "again"


def in_language(texts: Mapping[str, str], locale: str) -> str:
    """A catalogue text in a language, Dutch when that one is missing."""
    return texts.get(locale) or texts["nl"]


class Branch(Base):
    """A branch (*vestiging*) where patrons collect their card. Its code is the branch prefix of
    its cards' numbers; `isil` is the code (ISO 15511) of the library within the organisation
    that the branch belongs to, the owner written on its cards' chips (seed 003)."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(40))
    isil: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str] = mapped_column(String(200))


class SubscriptionType(Base):
    """A subscription (*abonnement*) the library offers, as in its catalogue file."""

    __tablename__ = "subscription_type"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    summaries: Mapped[dict[str, str]] = mapped_column(JSON)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    term_months: Mapped[int | None]
    validity: Mapped[Validity] = mapped_column(enum_column(Validity, "validity", 20))
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    online_signup: Mapped[bool] = mapped_column(default=False)
    has_card: Mapped[bool] = mapped_column(default=True)
    online_library: Mapped[bool] = mapped_column(default=False)
    recurring: Mapped[bool] = mapped_column(default=False)
    # Paid once: renewed at the end of each term (a mail or letter, then an invoice), unless
    # it is for one term only (a month's subscription). Free ones renew on their own.
    renews: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The subscription a holder moves to when they grow out of this one's ages (youth: Start).
    next_code: Mapped[str | None] = mapped_column(String(10))
    payment_plans: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["once"])
    sort_order: Mapped[int] = mapped_column(default=0)
    # Owed once on registering with it (*inschrijfgeld*), besides the first period.
    registration_fee: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0"
    )
    # Selection codes of which the desk must record one: who it is for (Gratis: staff or
    # volunteer). Empty: no selection needed.
    requires_selection: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    patron_limit: Mapped[PatronLimit | None] = mapped_column(
        enum_column(PatronLimit, "patron_limit", 16)
    )
    # A guest patron's (seed 003): given on the first registration, or on registering again
    # once the guest subscription ended. None: not for guests.
    guest: Mapped[GuestRegistration | None] = mapped_column(
        enum_column(GuestRegistration, "guest", 8)
    )
    # Free loan strips (*leenstrippen*) that come with it (guests: 125).
    loan_strips: Mapped[int | None]

    @property
    def desk_only(self) -> bool:
        """Whether a rule of it needs the desk: who it is for, or how often a patron had it."""
        return bool(self.requires_selection) or self.patron_limit is not None

    def name(self, locale: str) -> str:
        """The subscription's name in a language, Dutch when that one is missing."""
        return in_language(self.names, locale)

    def summary(self, locale: str) -> str:
        """What the subscription includes, in a language, Dutch when that one is missing."""
        return in_language(self.summaries, locale)


class CancelReason(Base):
    """A reason for cancelling a subscription (*reden opzegging*), as in the catalogue file;
    some only the desk may give (a death is reported, not chosen by the patron)."""

    __tablename__ = "cancel_reason"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(40))
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    desk_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    sort_order: Mapped[int] = mapped_column(default=0)

    def label(self, locale: str) -> str:
        """The reason in a language, Dutch when that one is missing."""
        return in_language(self.labels, locale)


class Selection(Base):
    """A selection code (*selectie*) the desk records with a subscription: an action such as
    Boekstart, or who a free subscription is for; it may take a discount off the first period
    (an amount or a percentage, never both)."""

    __tablename__ = "selection"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    discount_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    sort_order: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """The selection's name in a language, Dutch when that one is missing."""
        return in_language(self.names, locale)


class CatalogueVersion(Base):
    """How many times the catalogue was loaded (one row): a process keeps what it read of the
    catalogue until this changes, so a load by any process is seen by all at their next read.
    Whatever else changes the catalogue (a data migration, a fix by hand) must count it up too."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
