"""What staff typed into the desk's search box, taken apart: numbers (card, temporary, system),
an e-mail address, a postcode with house number, a birth date, initials, a prefix and names."""

import re
from dataclasses import dataclass, replace
from datetime import date

from shared.patrons.name_keys import PREFIXES, fold

BIRTH_DATE = re.compile(r"(?<![\w-])(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?![\w-])")
# 1234 AB, 1234ab, with a house number and an addition stuck to it (12, 12a, 12-2) or not.
POSTCODE = re.compile(
    r"(?<!\w)(\d{4}) ?([a-z]{2})(?![a-z])(?:\s*(\d{1,5})(?:-?([a-z0-9]{1,4}))?)?(?![a-z0-9])"
)
NAME_AFTER = re.compile(r"\s*[^\W\d_]")  # a word of letters follows
INITIALS = re.compile(r"^(?:[a-z]\.)+[a-z]?$|^[a-z]$")
SHORTEST_NUMBER = 4  # a shorter run of digits is no card, customer or system number


@dataclass(frozen=True)
class SearchQuery:
    """The parts of a search; names, prefix and initials folded (see name_keys.fold)."""

    numbers: tuple[str, ...] = ()
    email: str = ""
    postcode: str = ""  # compact, upper case: 7961AM; or its digits alone: 7961
    house_number: str = ""  # the digits
    addition: str = ""  # folded, without separator: a, 2
    birth_date: date | None = None
    initials: str = ""
    prefix: str = ""
    names: tuple[str, ...] = ()


def parse(text: str) -> SearchQuery:
    """The parts of what was typed; an e-mail address is searched for on its own."""
    typed = " ".join(text.split())
    if "@" in typed:
        return SearchQuery(email=typed.replace(" ", "").lower())
    born, rest = _birth_date(typed.casefold())
    (postcode, house_number, addition), rest = _address(rest)
    words = _words(rest.replace(",", " ").split())
    return replace(
        words, birth_date=born, postcode=postcode, house_number=house_number, addition=addition
    )


def _birth_date(text: str) -> tuple[date | None, str]:
    """A date typed as dd-mm-jjjj (or d-m-jjjj, with / or .), and the text without it."""
    for match in BIRTH_DATE.finditer(text):
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day), text[: match.start()] + " " + text[match.end() :]
        except ValueError:
            continue
    return None, text


def _address(text: str) -> tuple[tuple[str, str, str], str]:
    """Postcode (compact), house number and addition, and the text without them; letters that
    are a name prefix followed by a name ("1234 de vries") stay names, the digits then being
    the postcode's area."""
    match = POSTCODE.search(text)
    if match is None:
        return ("", "", ""), text
    if match[2] in PREFIXES and match[3] is None and NAME_AFTER.match(text, match.end()):
        return (match[1], "", ""), text[: match.start()] + " " + text[match.start(2) :]
    found = ((match[1] + match[2]).upper(), match[3] or "", match[4] or "")
    return found, text[: match.start()] + " " + text[match.end() :]


def _words(tokens: list[str]) -> SearchQuery:
    """Numbers, initials, prefix and names among the other words."""
    numbers: list[str] = []
    prefixes: list[str] = []
    names: list[str] = []
    initials = ""
    for token in tokens:
        if INITIALS.match(token):
            initials += token.replace(".", "")
        elif any(char.isdigit() for char in token):
            number = re.sub(r"[^0-9a-z]", "", token).upper()
            numbers += [number] if len(number) >= SHORTEST_NUMBER else []
        else:
            for word in fold(token).split():
                (prefixes if word in PREFIXES else names).append(word)
    if not names:  # nothing but prefix words: they are the name ("Van", "de")
        names, prefixes = prefixes, []
    return SearchQuery(
        numbers=tuple(numbers), initials=initials, prefix=" ".join(prefixes), names=tuple(names)
    )
