"""The subscriptions the library offers online, kept by each process: the signup page shows them
on every request, and they change only when the catalogue is loaded again (by any process on any
machine), which the catalogue's version row tells at the cost of one small read, asked at most
once a second."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, Engine, select

from shared.models.catalogue import CatalogueVersion, SubscriptionType, in_language


@dataclass(frozen=True)
class OfferedSubscription:
    """A subscription a patron can take online, as read from the catalogue."""

    code: str
    names: dict[str, str]
    summaries: dict[str, str]
    price: Decimal
    term_months: int | None
    recurring: bool
    payment_plans: tuple[str, ...]

    def name(self, locale: str) -> str:
        """The subscription's name in a language, Dutch when that one is missing."""
        return in_language(self.names, locale)

    def summary(self, locale: str) -> str:
        """What the subscription includes, in a language, Dutch when that one is missing."""
        return in_language(self.summaries, locale)


VERSION = select(CatalogueVersion.version)
OFFERED = (
    select(
        SubscriptionType.code,
        SubscriptionType.names,
        SubscriptionType.summaries,
        SubscriptionType.price,
        SubscriptionType.term_months,
        SubscriptionType.recurring,
        SubscriptionType.payment_plans,
    )
    .where(SubscriptionType.online_signup.is_(True))
    .order_by(SubscriptionType.sort_order)
)


def offered_subscriptions(connection: Connection) -> tuple[OfferedSubscription, ...]:
    """The subscriptions a patron can take online, in catalogue order, read now."""
    return tuple(
        OfferedSubscription(
            code=row.code,
            names=row.names,
            summaries=row.summaries,
            price=row.price,
            term_months=row.term_months,
            recurring=row.recurring,
            payment_plans=tuple(row.payment_plans),
        )
        for row in connection.execute(OFFERED)
    )


def catalogue_version(connection: Connection) -> int:
    """How many times the catalogue was loaded."""
    return connection.scalar(VERSION) or 0


@dataclass(frozen=True)
class Offer:
    """The offered subscriptions as of one version of the catalogue."""

    version: int
    subscriptions: tuple[OfferedSubscription, ...]


RECHECK_SECONDS = 1.0


class OfferCache:
    """The offer of one database, its version asked again after RECHECK_SECONDS and the offer
    read again only when the version changed: a catalogue loaded anywhere shows within a second.
    Threads share it without a lock: each replaces the whole offer, version and all."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._kept: Offer | None = None
        self._checked_at = 0.0
        self._monotonic = monotonic

    def offer(self, engine: Engine) -> Offer:
        """The offer as of at most RECHECK_SECONDS ago."""
        kept = self._kept
        # The version read was most of a new visitor's signup page, and a round trip on a
        # database server: a second of a catalogue that is loaded a few times a year is cheap.
        if kept is not None and self._monotonic() - self._checked_at < RECHECK_SECONDS:
            return kept
        self._checked_at = self._monotonic()
        # A connection of its own, without an ORM session, as a session would cost three times
        # as much.
        with engine.connect() as connection:
            # The version is read before the rows, so what is kept is never older than its
            # version (a load committing in between is read again at the next check).
            version = catalogue_version(connection)
            kept = self._kept
            if kept is None or kept.version != version:
                kept = Offer(version, offered_subscriptions(connection))
                self._kept = kept
        return kept
