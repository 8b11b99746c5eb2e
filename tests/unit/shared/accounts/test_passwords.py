"""Passwords: argon2id hashes, and the strength rule that counts personal data."""

import pytest

from shared.accounts.passwords import hash_password, is_strong_enough, verify_password


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
