"""The look-ups a login and a token exchange make, in this process on both databases: by card
number, by e-mail, and the patron of a login."""

import itertools
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks.harness.members import Member
from benchmarks.harness.rows import CARD_LOOKUP, EMAIL_LOOKUP, LINKED_PATRON, ratio
from benchmarks.harness.sampling import Side, interleaved, timed
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from shared.accounts.login import find_accounts
from shared.clock import SYSTEM_CLOCK
from shared.models.account import LoginAccount
from shared.oidc.claims import linked_patron

# One look-up of a member, in a session of its own (nothing cached from the one before).
LookUp = Callable[[Session, Member], Callable[[], object]]
LOOK_UPS: dict[str, LookUp] = {
    CARD_LOOKUP: lambda session, member: lambda: find_accounts(session, member.card),
    EMAIL_LOOKUP: lambda session, member: lambda: find_accounts(session, member.email),
    LINKED_PATRON: lambda session, member: _linked_patron(session, member),
}


def lookup_figures(
    small: tuple[Engine, list[Member]], large: tuple[Engine, list[Member]], scale: Scale
) -> list[Figure]:
    """Each look-up on the large database against the small one."""
    budget = scale.budget(least=50, most=2000, seconds=15)
    return [
        ratio(row, interleaved(_side(*small, look_up), _side(*large, look_up), budget))
        for row, look_up in LOOK_UPS.items()
    ]


def _side(engine: Engine, members: list[Member], look_up: LookUp) -> Side:
    """Seconds one look-up of the next member takes."""
    turns = itertools.cycle(members)

    def side() -> float:
        with Session(engine) as session:
            return timed(look_up(session, next(turns)))

    return side


def _linked_patron(session: Session, member: Member) -> Callable[[], object]:
    """The member's login is loaded first, as a token exchange has it already."""
    account = session.get_one(LoginAccount, member.account_id)
    return lambda: linked_patron(session, account, SYSTEM_CLOCK.now())
