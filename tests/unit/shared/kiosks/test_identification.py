"""Identifying at a kiosk by the welcome mail's typed code: wrong codes are counted per kiosk,
and only a code that lets someone in clears the count."""

import pytest
from sqlalchemy.orm import Session

from shared.cards.collection_codes import ALPHABET, issue_code, normalise
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.kiosks.identification import by_code
from shared.models.account import AccountStatus
from shared.models.patron import Patron
from tests.support.factories import create_account, create_card, create_patron

SECRET = "secret"
KIOSK, OTHER_KIOSK = 1, 2
# Well-formed codes (their Luhn mod 32 check character fits) that no patron was given.
GUESSES = ["000000000", "00000001Y", "00000002W", "00000003T"]


@pytest.fixture
def patron(db_session: Session, clock: ManualClock) -> Patron:
    """A patron with a confirmed login and no card yet."""
    account = create_account(db_session, clock.now(), confirmed=True)
    return create_patron(db_session, account, clock.now(), subscription="0045")


def attempt(session: Session, code: str, clock: ManualClock, kiosk: int = KIOSK) -> str:
    """Type a code at a kiosk: the refusal's code, or "ok"."""
    try:
        by_code(session, SECRET, code, kiosk, clock.now())
    except DomainError as refusal:
        return refusal.code
    return "ok"


def test_the_guesses_are_well_formed() -> None:
    assert all(normalise(guess) == guess and set(guess) <= set(ALPHABET) for guess in GUESSES)


@pytest.mark.parametrize("refused_by", ["used", "blocked", "had_a_card"])
def test_a_known_code_that_is_refused_does_not_reset_the_count(
    db_session: Session, clock: ManualClock, patron: Patron, refused_by: str
) -> None:
    known = issue_code(db_session, SECRET, patron, clock.now())
    if refused_by == "used":
        assert attempt(db_session, known, clock) == "ok"
    elif refused_by == "blocked":
        patron.login_account.status = AccountStatus.BLOCKED
    else:
        create_card(db_session, patron, clock.now())
    answers = [attempt(db_session, code, clock) for code in [*GUESSES, known] * 2]
    assert answers[-1] == "too_many_codes" and "too_many_codes" in answers[5:]
    assert attempt(db_session, GUESSES[0], clock, OTHER_KIOSK) == "code_invalid"


def test_a_code_that_lets_someone_in_clears_the_count(
    db_session: Session, clock: ManualClock, patron: Patron
) -> None:
    for guess in GUESSES:
        assert attempt(db_session, guess, clock) == "code_invalid"
    assert attempt(db_session, issue_code(db_session, SECRET, patron, clock.now()), clock) == "ok"
    for guess in GUESSES:
        assert attempt(db_session, guess, clock) == "code_invalid"
