"""Temporary and system numbers: prefix, digits and a Luhn check digit, minted unused."""

import pytest

from shared.cards.numbers import (
    SYSTEM_PREFIX,
    TEMPORARY_PREFIX,
    is_valid_number,
    luhn_check_digit,
    mint_number,
)


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
