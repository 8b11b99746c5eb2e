"""Temporary and system numbers, passwords, and signed tokens."""

import pytest

from shared import tokens
from shared.accounts.passwords import hash_password, is_strong_enough, verify_password
from shared.cards.numbers import (
    SYSTEM_PREFIX,
    TEMPORARY_PREFIX,
    is_valid_number,
    luhn_check_digit,
    mint_number,
)
from shared.clock import ManualClock


def test_luhn_check_digit_matches_the_known_example() -> None:
    assert luhn_check_digit("7992739871") == "3"


def test_minted_numbers_carry_prefix_and_valid_check_digit() -> None:
    number = mint_number(TEMPORARY_PREFIX, lambda n: False)
    assert is_valid_number(number, TEMPORARY_PREFIX)
    assert not is_valid_number(number, SYSTEM_PREFIX)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid_number(wrong, TEMPORARY_PREFIX)


def test_minting_skips_taken_numbers_and_gives_up_loudly() -> None:
    taken: set[str] = set()
    first = mint_number(SYSTEM_PREFIX, taken.__contains__)
    taken.add(first)
    assert mint_number(SYSTEM_PREFIX, taken.__contains__) != first
    with pytest.raises(RuntimeError):
        mint_number(SYSTEM_PREFIX, lambda n: True)


def test_passwords_are_argon2id_and_verified() -> None:
    hashed = hash_password("vlinder-boekenkast-regen-42")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "vlinder-boekenkast-regen-42")
    assert not verify_password(hashed, "vlinder-boekenkast-regen-43")
    assert not verify_password("not a hash", "x")


@pytest.mark.parametrize(
    ("password", "strong"),
    [
        ("vlinder-boekenkast-regen-42", True),
        ("qwertyuiop12", False),
        ("wachtwoord123", False),
        ("marieke1985", False),
        ("kort", False),
    ],
)
def test_strength_rule_counts_personal_data(password: str, strong: bool) -> None:
    assert is_strong_enough(password, ["marieke", "marieke@example.nl"]) == strong


def test_tokens_are_bound_to_their_purpose_and_secret() -> None:
    now = ManualClock().now()
    token = tokens.make_token("s3cret", tokens.CARD_COLLECTION, {"patron": 7}, now)
    assert tokens.read_token("s3cret", tokens.CARD_COLLECTION, token, now) == {"patron": 7}
    for secret, purpose in (("other", tokens.CARD_COLLECTION), ("s3cret", tokens.CONFIRM_ACCOUNT)):
        with pytest.raises(tokens.TokenError) as error:
            tokens.read_token(secret, purpose, token, now)
        assert not error.value.expired


def test_tokens_expire_when_the_clock_passes_their_lifetime() -> None:
    clock = ManualClock()
    token = tokens.make_token("s3cret", tokens.CONFIRM_ACCOUNT, {"account": 1}, clock.now())
    clock.advance(tokens.DAY)
    assert tokens.read_token("s3cret", tokens.CONFIRM_ACCOUNT, token, clock.now())
    clock.advance(1)
    with pytest.raises(tokens.TokenError) as error:
        tokens.read_token("s3cret", tokens.CONFIRM_ACCOUNT, token, clock.now())
    assert error.value.expired
