"""What a staff page asks beyond the staff login (which the blueprint checks for every page):
the coordinator's role, or a second factor given a few minutes ago."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.staff import staff_session
from shared.accounts.staff import staff_member
from shared.models.staff import StaffMember, StaffRole

FRESH_MINUTES = 5  # how old the last code of a sensitive action may be
P = ParamSpec("P")
R = TypeVar("R")


def current_member() -> StaffMember:
    """The staff member logged in (the blueprint let only staff through)."""
    member = staff_member(db.session(), current_user)
    if member is None:
        abort(403)
    return member


def is_coordinator() -> bool:
    """Whether the login is a coordinator's (a patron's login asks the database nothing)."""
    member = staff_member(db.session(), current_user)
    return member is not None and member.role == StaffRole.COORDINATOR


def coordinator_only(view: Callable[P, R]) -> Callable[P, R]:
    """A page for coordinators: a desk member gets 403."""

    @wraps(view)
    def for_coordinators(*args: P.args, **kwargs: P.kwargs) -> R:
        if not is_coordinator():
            abort(403)
        return view(*args, **kwargs)

    return for_coordinators


def fresh_second_factor(
    minutes: int = FRESH_MINUTES,
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """A sensitive action: when the last code is older than `minutes`, the member types a new
    one first and comes back (by GET)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def after_fresh_code(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            if not staff_session.second_factor_within(minutes):
                return staff_session.ask_second_factor()
            return view(*args, **kwargs)

        return after_fresh_code

    return decorate
