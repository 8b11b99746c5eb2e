"""Patron numbers: temporary customer numbers and Digital-only system numbers, with check digit."""

import secrets
from collections.abc import Callable

TEMPORARY_PREFIX = "2X"
SYSTEM_PREFIX = "DO"
NUMBER_DIGITS = 7


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def is_valid_number(number: str, prefix: str) -> bool:
    """Whether a number has the prefix, the right length and a correct check digit."""
    body = number.removeprefix(prefix)
    return (
        number.startswith(prefix)
        and len(body) == NUMBER_DIGITS + 1
        and body.isdigit()
        and luhn_check_digit(body[:-1]) == body[-1]
    )


def mint_number(prefix: str, is_taken: Callable[[str], bool], attempts: int = 20) -> str:
    """A random, unused number: prefix, digits and a check digit."""
    for _ in range(attempts):
        body = "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS))
        number = f"{prefix}{body}{luhn_check_digit(body)}"
        if not is_taken(number):
            return number
    raise RuntimeError("no free number found; widen NUMBER_DIGITS")
