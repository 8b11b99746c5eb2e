"""The welcome mail's short kiosk code: short, checked, good once, until it expires."""

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn

from shared.cards.collection_codes import (
    ALPHABET,
    LIFETIME,
    find_code,
    issue_code,
    normalise,
    spend,
)
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.models.card import CollectionCode
from shared.models.patron import Patron
from tests.support.factories import create_account, create_patron

SECRET = "secret"


@pytest.fixture
def patron(db_session: Session, clock: ManualClock) -> Patron:
    """A patron with a login and no card yet."""
    return create_patron(db_session, create_account(db_session, clock.now()), clock.now())


def refusal(call: object) -> str:
    """The code of the DomainError a call raises."""
    with pytest.raises(DomainError) as raised:
        call()  # type: ignore[operator]
    return raised.value.code


def test_a_code_is_nine_characters_shown_in_two_groups_and_kept_only_as_a_keyed_hash(
    db_session: Session, clock: ManualClock, patron: Patron
) -> None:
    shown = issue_code(db_session, SECRET, patron, clock.now())
    code = shown.replace(" ", "")
    assert len(shown) <= 10 and len(code) == 9 and shown[4] == " "
    assert set(code) <= set(ALPHABET)
    stored = db_session.scalars(select(CollectionCode)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at == clock.now() + LIFETIME
    assert find_code(db_session, SECRET, code, clock.now()).patron_id == patron.id
    assert refusal(lambda: find_code(db_session, "another secret", code, clock.now())) == (
        "code_invalid"
    )


def test_typing_slips_are_forgiven_where_nothing_can_be_mistaken(
    db_session: Session, clock: ManualClock, patron: Patron
) -> None:
    code = issue_code(db_session, SECRET, patron, clock.now()).replace(" ", "")
    typed = f" {code[:3]}-{code[3:6]} {code[6:]} ".lower()
    assert normalise(typed) == code
    ambiguous = code.replace("0", "o").replace("1", "l")
    assert normalise(ambiguous) == code


def test_the_check_character_catches_every_single_slip_and_nearly_every_swap() -> None:
    for body in ("K7QM2XPA", "0Z0Z0Z0Z", "ABCDEFGH", "98765432"):
        code = body + luhn.calc_check_digit(body, ALPHABET)
        assert normalise(code) == code
        for position, char in itertools.product(range(len(code)), ALPHABET):
            if char != code[position]:
                assert normalise(code[:position] + char + code[position + 1 :]) is None
        for position in range(len(code) - 1):
            pair = code[position : position + 2]
            swapped = code[:position] + pair[::-1] + code[position + 2 :]
            # Luhn mod 32, like mod 10 with 0 and 9, cannot see 0 and Z change places.
            if pair[0] != pair[1] and set(pair) != {"0", "Z"}:
                assert normalise(swapped) is None, (code, swapped)
        assert normalise(code[:-1]) is None and normalise(code + "0") is None
        assert normalise(code[:-1] + "U") is None
    assert normalise("") is None


def test_a_code_is_good_once_until_it_expires(
    db_session: Session, clock: ManualClock, patron: Patron
) -> None:
    code = issue_code(db_session, SECRET, patron, clock.now()).replace(" ", "")
    clock.advance(LIFETIME - timedelta(seconds=1))
    row = find_code(db_session, SECRET, code, clock.now())
    spend(db_session, row, clock.now())
    assert refusal(lambda: find_code(db_session, SECRET, code, clock.now())) == "code_used"
    assert refusal(lambda: spend(db_session, row, clock.now())) == "code_used"
    other = issue_code(db_session, SECRET, patron, clock.now()).replace(" ", "")
    clock.advance(LIFETIME)
    assert refusal(lambda: find_code(db_session, SECRET, other, clock.now())) == "code_expired"
