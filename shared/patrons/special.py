"""The rules of the special subscriptions (seed 002), as the catalogue states them: who one is
for (a selection code the desk records, Gratis: staff or volunteer) and how often one patron may
have it (Gratis at most one at a time, the trial once ever). One check for every way in."""

from collections.abc import Iterable
from datetime import date

from shared.errors import DomainError
from shared.models.catalogue import PatronLimit, SubscriptionType
from shared.models.patron import Subscription


def check_special_rules(
    held: Iterable[Subscription], kind: SubscriptionType, selection_code: str | None, today: date
) -> None:
    """Refuse giving `kind` with this selection code to a patron with the subscriptions `held`
    (all they ever had), if a rule of the catalogue says no."""
    if kind.requires_selection and selection_code not in kind.requires_selection:
        raise DomainError("selection_required")
    same = [subscription for subscription in held if subscription.type_code == kind.code]
    if kind.patron_limit == PatronLimit.ONCE_EVER and same:
        raise DomainError("subscription_had_once")
    if kind.patron_limit == PatronLimit.ONE_AT_A_TIME and any(
        subscription.runs_through >= today for subscription in same
    ):
        raise DomainError("subscription_held")
