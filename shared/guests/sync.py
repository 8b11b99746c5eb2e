"""The nightly check of guest patrons (seed 003, *Looptijd gastabonnement*): from the night after
registering, a guest subscription is valid as long as the subscription at the home library, asked
each night; it ends when that one ends, or when the home library blocks or no longer knows the
card. A home library that does not answer changes nothing: it is asked again the next night.
A step of `memberships run-daily`, once per guest per day."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.guests.home_library import HomeCheck, HomeLibraryUnavailable
from shared.guests.home_person import from_home, split_name
from shared.memberships.renewal import Renewal
from shared.models.catalogue import SubscriptionType
from shared.models.guest import GuestHome, Verification
from shared.models.patron import Subscription, SubscriptionStatus
from shared.patrons.name_keys import index_names
from shared.timeutil import local_midnight, local_today

NOT_CONFIGURED = "no home library configured"  # the last check's error: taken out of the file
ENDED_AT_HOME = "ended at the home library"  # the subscription's status reason (staff read it)
# A home library that says the card is valid without a last day: valid this many days on, asked
# again each night (a week of nights without an answer before it ends).
NO_DATE_DAYS = 7
# What the nightly check takes over of the own library's personal data: the names (searched
# on), the address when it sends one, and each contact field it sends (record: SIP2 field).
NAMES = {"initials", "prefix", "surname", "first_name"}
ADDRESS = {"street", "house_number", "postcode", "city"}
CONTACT = {"phone": "phone", "library_email": "email"}


def due_for_sync(day: Renewal) -> Select[int]:
    """Guest subscriptions not ended, of verified guests not asked about yet today (found from
    the guests: subscription's own rows are a million)."""
    guests = select(GuestHome.patron_id).where(
        GuestHome.verification == Verification.VERIFIED,
        or_(GuestHome.synced_at.is_(None), GuestHome.synced_at < local_midnight(day.today)),
    )
    kinds = select(SubscriptionType.code).where(SubscriptionType.guest.is_not(None))
    return select(Subscription.id).where(
        Subscription.patron_id.in_(guests),
        Subscription.type_code.in_(kinds),
        Subscription.end_date >= day.today,
        Subscription.cancelled_at.is_(None),
        Subscription.status == SubscriptionStatus.NORMAL,
    )


def sync(session: Session, subscriptions: Sequence[Subscription], day: Renewal) -> None:
    """Ask each guest's home library, then follow the answers (the asking before any write: no
    lock is held while a home library is slow)."""
    patron_ids = [subscription.patron_id for subscription in subscriptions]
    found = session.scalars(select(GuestHome).where(GuestHome.patron_id.in_(patron_ids)))
    homes = {home.patron_id: home for home in found}
    answers = _asked(day, list(homes.values()))
    for subscription in subscriptions:
        home = homes.get(subscription.patron_id)
        lock_row(session, Subscription, subscription.id)  # cancelled while its library was asked?
        session.refresh(subscription)
        if home is not None and _still_followed(subscription):
            follow(subscription, home, answers[home.id], day)
            _refresh(session, home, answers[home.id])


def _asked(day: Renewal, homes: list[GuestHome]) -> dict[int, HomeCheck | str]:
    """Each home library's answer, or why there is none; a home library that did not answer
    is not asked again in this batch (one timeout, not one per guest)."""
    answers: dict[int, HomeCheck | str] = {}
    down: dict[str, str] = {}
    for home in homes:
        library = day.homes.for_isil(home.isil)
        if library is None:  # taken out of the home libraries file: the guest stays as they are
            answers[home.id] = NOT_CONFIGURED
        elif home.isil in down:
            answers[home.id] = down[home.isil]
        else:
            try:
                answers[home.id] = library.check(home.home_card_number, day.now)
            except HomeLibraryUnavailable as error:
                answers[home.id] = down[home.isil] = str(error)[:200]
    return answers


def _still_followed(subscription: Subscription) -> bool:
    """Whether the guest subscription still follows the home one (not cancelled or set invalid
    at the desk meanwhile)."""
    return subscription.cancelled_at is None and subscription.status == SubscriptionStatus.NORMAL


def follow(
    subscription: Subscription, home: GuestHome, answer: HomeCheck | str, day: Renewal
) -> None:
    """The guest subscription valid through the home one's last day (NO_DATE_DAYS on when it
    sends none: a night without an answer does not end it), or ended yesterday when the home
    library blocks or does not know the card; unchanged when it could not be asked (`answer`
    says why)."""
    home.synced_at = day.now
    if isinstance(answer, str):
        home.sync_error = answer
        return
    yesterday = day.today - timedelta(days=1)
    if answer.known and not answer.blocked:
        through = answer.valid_through or day.today + timedelta(days=NO_DATE_DAYS)
    else:
        through = yesterday
    subscription.end_date = max(through, yesterday)
    if subscription.end_date < day.today:
        subscription.status_reason, subscription.status_changed_at = ENDED_AT_HOME, day.now
    home.home_valid_through, home.sync_error = answer.valid_through, ""


def _refresh(session: Session, home: GuestHome, answer: HomeCheck | str) -> None:
    """The guest's personal data as their own library gives them now (a move, a new name or
    address there shows here the next morning); what it leaves out stays, and so does the birth
    date as registered."""
    person = answer.person if isinstance(answer, HomeCheck) and answer.known else None
    if person is None or not split_name(person.name)[1]:
        return
    patron = home.patron
    details = from_home(person, patron.birth_date)
    given = NAMES | (ADDRESS if person.address.strip() else set())
    given |= {name for name, value in CONTACT.items() if getattr(person, value).strip()}
    changed = {
        name: getattr(details, name)
        for name in given
        if getattr(details, name) != getattr(patron, name)
    }
    for name, value in changed.items():
        setattr(patron, name, value)
    if changed.keys() & NAMES:
        index_names(session, patron)


def next_sync(home: GuestHome, now: datetime) -> datetime | None:
    """When the guest's home library is asked next: the coming night (None: never, unverified)."""
    if home.verification != Verification.VERIFIED:
        return None
    return local_midnight(local_today(now) + timedelta(days=1))
