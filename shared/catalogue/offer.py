"""The subscriptions the library offers online, kept by each process: the signup page shows them
on every request, and they change only when the catalogue is loaded again (by any process on any
machine), which the catalogue's version row tells at the cost of one small read."""

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


class OfferCache:
    """The offer of one database, read again only when its catalogue version changed. Threads
    share it without a lock: each replaces the whole offer, version and all."""

    def __init__(self) -> None:
        self._kept: Offer | None = None

    def offer(self, engine: Engine) -> Offer:
        """The offer as of now."""
        # A connection of its own, without an ORM session: the check is most of what a signup
        # page asks of the database, and a session would cost it three times as much.
        with engine.connect() as connection:
            # The version is read before the rows, so what is kept is never older than its
            # version (a load committing in between is read again at the next request).
            version = catalogue_version(connection)
            kept = self._kept
            if kept is None or kept.version != version:
                kept = Offer(version, offered_subscriptions(connection))
                self._kept = kept
        return kept
