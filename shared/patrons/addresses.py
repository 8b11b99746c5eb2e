"""Addresses compared as people type them: a postcode without spaces in upper case (9401 ab is
9401AB, as the indexed `postcode_compact` has it) and a house number as its digits and its
folded addition (12a, 12 A and 12-a are one)."""

import re


def compact_postcode(postcode: str) -> str:
    """The postcode as `postcode_compact` has it: 9401 ab is 9401AB."""
    return postcode.replace(" ", "").upper()


def house_parts(house_number: str) -> tuple[str, str]:
    """The number and the addition (folded) of a house number: 12-a is 12 and a."""
    match = re.match(r"\s*(\d*)(.*)", house_number.casefold())
    assert match is not None  # the pattern matches any text
    return match[1], re.sub(r"[^0-9a-z]", "", match[2])
