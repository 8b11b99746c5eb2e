"""Domain errors of the signup in the patron's language."""

from flask_babel import gettext as _

from shared.errors import DomainError


def describe(error: DomainError) -> str:
    """A message for a refused signup step, naming what the rule needs."""
    params = error.params
    if error.code == "youth_free":
        return _(
            "You are %(age)s. Membership is free for young people up to 18: "
            "sign up at the desk of your library.",
            age=params["age"],
        )
    if error.code == "age_outside_band":
        return _age_band(params["min_age"], params["max_age"])
    messages = {
        "username_taken": _("This username is taken. Choose another one."),
        "subscription_not_offered": _("This subscription cannot be taken online."),
        "unknown_branch": _("Choose one of the branches in the list."),
        "registration_completed": _("This registration has been completed already."),
        "registration_incomplete": _("Some details are still missing. Complete every step first."),
        "payment_plan_not_offered": _(
            "This subscription cannot be paid by direct debit. Choose to pay at once."
        ),
    }
    return messages[error.code]


def _age_band(min_age: int | None, max_age: int | None) -> str:
    """The age band of a subscription, as a refusal."""
    if max_age is None:
        return _("This subscription is for people aged %(min)s and over.", min=min_age)
    return _(
        "This subscription is for people aged %(min)s to %(max)s on the day they sign up.",
        min=min_age,
        max=max_age,
    )
