"""Patron and card numbers: temporary, Digital-only system and library card numbers, with check
digit; and the chip UIDs of cards."""

import re
import secrets
from collections.abc import Callable

from stdnum import luhn

from shared.errors import DomainError

TEMPORARY_PREFIX = "2X"
SYSTEM_PREFIX = "DO"
NUMBER_DIGITS = 7
CARD_PREFIX = "2"
CHIP_UID = re.compile(r"^(?:[0-9A-F]{2}){4,10}$")


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) check digit for a string of digits."""
    return str(luhn.calc_check_digit(digits))


def is_valid_number(number: str, prefix: str) -> bool:
    """Whether a number has the prefix, the right length and a correct check digit."""
    body = number.removeprefix(prefix)
    return (
        number.startswith(prefix)
        and len(body) == NUMBER_DIGITS + 1
        and body.isdigit()
        and luhn_check_digit(body[:-1]) == body[-1]
    )


def is_valid_card_number(number: str) -> bool:
    """Whether a library card number is 2, a four-digit branch code, the digits and a check
    digit over all of them (as `mint_card_number` makes them and blank cards carry them)."""
    return (
        number.startswith(CARD_PREFIX)
        and len(number) == len(CARD_PREFIX) + 4 + NUMBER_DIGITS + 1
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def mint_number(prefix: str, is_taken: Callable[[str], bool], attempts: int = 20) -> str:
    """A random, unused number: prefix, digits and a check digit."""
    return _mint(lambda body: f"{prefix}{body}{luhn_check_digit(body)}", is_taken, attempts)


def mint_card_number(branch_code: str, is_taken: Callable[[str], bool], attempts: int = 20) -> str:
    """A random, unused 13-digit card number: 2, the branch code, digits, and a check digit over
    all of them (a card number is all digits, so the check covers the branch too)."""
    if len(branch_code) != 4 or not branch_code.isdigit():
        raise ValueError(f"branch code {branch_code!r} is not four digits")
    start = f"{CARD_PREFIX}{branch_code}"
    return _mint(lambda body: f"{start}{body}{luhn_check_digit(start + body)}", is_taken, attempts)


def _mint(build: Callable[[str], str], is_taken: Callable[[str], bool], attempts: int) -> str:
    """The first number built from random digits that is not taken."""
    for _ in range(attempts):
        number = build("".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS)))
        if not is_taken(number):
            return number
    raise RuntimeError("no free number found; widen NUMBER_DIGITS")


def normalise_chip_uid(raw: object) -> str:
    """A card chip's UID as upper-case hex (4, 7 or 10 bytes as cards have; 4 to 10 accepted)."""
    uid = raw.replace(":", "").strip().upper() if isinstance(raw, str) else ""
    if not CHIP_UID.match(uid):
        raise DomainError("invalid_chip_uid")
    return uid
