"""A card number's branch prefix (seed 003): digits 2 to 5 behind a leading digit, else 1 to 4."""

import pytest

from shared.catalogue.isil import card_prefix


@pytest.mark.parametrize(
    ("number", "prefix"),
    [
        ("2527090267212", "5270"),  # our own card: 2, branch 5270 (Biblionet Drenthe)
        ("28112000123456", "8112"),  # the seed's search example, 14 digits behind a 2
        ("29453000004711", "9453"),  # Roden (seed 003's guest at the desk)
        ("0830123456", "0830"),  # no leading digit: Nieuwegein's 0830
        ("0990139305", "0990"),  # the seed's guest customer number
        ("264300", "2643"),  # short: a 2 at the front is no leading digit
        ("8113000123456", "8113"),  # 13 digits that do not start with 2: no leading digit
        (" 2527090267212\n", "5270"),  # as a scanner or a paste brings it
    ],
)
def test_the_prefix_of_a_card_number(number: str, prefix: str) -> None:
    assert card_prefix(number) == prefix


@pytest.mark.parametrize("number", ["", "1234", "2527-0902-6721", "abcde", "２５２７０９０"])
def test_what_is_not_a_card_number_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="not a card number"):
        card_prefix(number)
