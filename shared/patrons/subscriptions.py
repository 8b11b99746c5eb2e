"""Subscription rules: who may take which subscription, until when it is valid, which one runs."""

from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import DomainError
from shared.models.catalogue import SubscriptionType, Validity
from shared.models.patron import REFUSED_STATUSES, Patron, Subscription
from shared.timeutil import NO_END, add_months, age_on, end_of_month

YOUTH_AGE_LIMIT = 19


@dataclass(frozen=True)
class AgeRefusal:
    """Why a birth date does not fit a subscription's age band."""

    age: int
    min_age: int | None
    max_age: int | None

    @property
    def is_youth(self) -> bool:
        """Whether the patron is young enough for free youth membership."""
        return self.age < YOUTH_AGE_LIMIT


def is_youth(birth_date: date, on: date) -> bool:
    """Whether someone born then is a youth member on that day (under 19)."""
    return age_on(birth_date, on) < YOUTH_AGE_LIMIT


def check_age(subscription: SubscriptionType, birth_date: date, on: date) -> AgeRefusal | None:
    """None when the age on `on` is inside the band, else why not."""
    age = age_on(birth_date, on)
    too_young = subscription.min_age is not None and age < subscription.min_age
    too_old = subscription.max_age is not None and age > subscription.max_age
    if too_young or too_old:
        return AgeRefusal(age, subscription.min_age, subscription.max_age)
    return None


def valid_through(
    subscription: SubscriptionType, start: date, birth_date: date | None = None
) -> date:
    """The last day (*geldig t/m*) of the first period that starts on `start` (NO_END for one
    without an end); a subscription valid until an age (youth) needs the holder's birth date."""
    months = subscription.term_months or 0
    if subscription.validity == Validity.FIXED:
        return NO_END
    if subscription.validity == Validity.END_OF_MONTH:
        return end_of_month(add_months(start, months))
    if subscription.validity == Validity.EXACT:
        return date.fromordinal(add_months(start, months).toordinal() - 1)
    if subscription.validity == Validity.UNTIL_AGE and birth_date and subscription.max_age:
        return last_day_aged(birth_date, subscription.max_age)
    raise ValueError(f"no period rule for validity {subscription.validity!r}")


def last_day_aged(birth_date: date, age: int) -> date:
    """The last day on which someone born then is `age` (the day before the next birthday, as
    `age_on` counts it: one born on 29 February has it on 1 March in other years)."""
    day = add_months(birth_date, 12 * (age + 1)) - timedelta(days=1)
    return day if age_on(birth_date, day + timedelta(days=1)) > age else day + timedelta(days=1)


def current_subscription(patron: Patron) -> Subscription | None:
    """The subscription that runs longest."""
    return max(patron.subscriptions, key=lambda s: (s.end_date, s.id), default=None)


def valid_on(subscription: Subscription, day: date) -> bool:
    """Whether the subscription lets its patron use the library on `day` (see usable_on)."""
    return subscription.usable_on(day)


def require_valid_subscription(patron: Patron, day: date) -> None:
    """Refuse a patron whose current subscription the desk refused (`subscription_refused`: to
    the desk), or who has none valid on `day` (`subscription_not_valid`)."""
    subscription = current_subscription(patron)
    if subscription is not None and subscription.status in REFUSED_STATUSES:
        raise DomainError("subscription_refused")
    if subscription is None or not valid_on(subscription, day):
        raise DomainError("subscription_not_valid")
