"""The subscriptions the desk gives: youth by age, and for adults and institutions every one with
a period that is paid at once or without an end, whether or not it is offered online; and the
selection codes it records with them. All of it from the catalogue."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.catalogue import Selection, SubscriptionType, Validity
from shared.models.patron import PaymentPlan
from shared.patrons.subscriptions import check_age
from shared.signup.registration import check_subscription_age
from shared.timeutil import age_on, local_today

# A subscription the desk can start today: with a term, or without an end (*vast*: staff,
# volunteers). Youth (until an age) is chosen by age.
GIVEN = (Validity.END_OF_MONTH, Validity.EXACT, Validity.FIXED)


def desk_subscriptions(session: Session) -> list[SubscriptionType]:
    """The subscriptions the desk may choose for an adult or an institution, in catalogue order
    (paid at once: direct debit at the desk needs a signed mandate, which comes later); a guest
    patron's are given by registering a guest."""
    query = select(SubscriptionType).where(
        SubscriptionType.validity.in_(GIVEN), SubscriptionType.guest.is_(None)
    )
    kinds = session.scalars(query.order_by(SubscriptionType.sort_order))
    return [kind for kind in kinds if PaymentPlan.ONCE in kind.payment_plans]


def youth_subscription(session: Session, birth_date: date, today: date) -> SubscriptionType | None:
    """The catalogue's subscription until an age whose age band holds today, if any."""
    query = select(SubscriptionType).where(SubscriptionType.validity == Validity.UNTIL_AGE)
    for kind in session.scalars(query.order_by(SubscriptionType.sort_order)):
        if check_age(kind, birth_date, today) is None:
            return kind
    return None


def choose_subscription(
    session: Session, code: str, birth_date: date, now: datetime
) -> SubscriptionType:
    """The subscription of a new patron: youth by age (another choice is refused), else the
    chosen one, if the desk gives it and its age band holds today."""
    today = local_today(now)
    youth = youth_subscription(session, birth_date, today)
    if youth is not None:
        if code and code != youth.code:
            raise DomainError("youth_subscription_only", age=age_on(birth_date, today))
        return youth
    if not code:
        raise DomainError("subscription_required")
    chosen = next((kind for kind in desk_subscriptions(session) if kind.code == code), None)
    if chosen is None:
        raise DomainError("subscription_not_at_desk")
    check_subscription_age(chosen, birth_date, now)
    return chosen


def desk_selections(session: Session) -> list[Selection]:
    """The selection codes the desk may record, in catalogue order."""
    return list(session.scalars(select(Selection).order_by(Selection.sort_order)))


def find_selection(session: Session, code: str) -> Selection | None:
    """The selection code chosen, None for none; one the catalogue lacks is refused."""
    if not code:
        return None
    selection = session.get(Selection, code)
    if selection is None:
        raise DomainError("unknown_selection")
    return selection
