"""A guest's personal data as their own library gives them over SIP2, as the record keeps them:
the name split into prefix, surname and first name, a Dutch address into its parts."""

import re
from datetime import date

from shared.errors import DomainError
from shared.guests.home_library import HomePerson
from shared.models.patron import Gender
from shared.signup.registration import PersonalDetails

# A Dutch address as home libraries send it in SIP2's BD field: "Brink 1, 9451 AB Rolde".
DUTCH_ADDRESS = re.compile(
    r"(?P<street>.+?)\s+(?P<number>\d+\S*)\s*,\s*(?P<postcode>\d{4}\s?[A-Za-z]{2})\s+(?P<city>.+)"
)
NAME_PREFIXES = ("van der", "van den", "van de", "van", "de", "den", "der", "ter", "te", "in 't")


def from_home(person: HomePerson, birth_date: date) -> PersonalDetails:
    """The home library's personal data as the record keeps them (unknown parts left empty)."""
    prefix, surname, first_name = split_name(person.name)
    if not surname:
        raise DomainError("guest_details_required")
    address = DUTCH_ADDRESS.fullmatch(person.address.strip())
    parts = address.groupdict() if address else {"street": person.address.strip()}
    email = person.email.strip()
    return PersonalDetails(
        initials=(_initials(first_name) or surname[:1].upper() + ".")[:20],
        prefix=prefix[:20],
        surname=surname[:80],
        first_name=first_name[:60],
        birth_date=birth_date,
        gender=Gender.ONBEKEND,
        postcode=_postcode(parts.get("postcode", "")),
        house_number=parts.get("number", "")[:12],
        street=parts["street"][:120],
        city=parts.get("city", "")[:80],
        country="NL",
        phone=person.phone.strip()[:30],
        library_email=email if len(email) <= 254 and "@" in email else "",
        newsletter=False,
        iban="",
    )


def _postcode(text: str) -> str:
    """A Dutch postcode as the signup keeps it: "9166 PT"."""
    compact = text.replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if compact else ""


def split_name(name: str) -> tuple[str, str, str]:
    """Prefix, surname and first name of a name as SIP2 sends it: "Vries, Anna de" or
    "Anna de Vries"."""
    if "," in name:
        surname, _, rest = (part.strip() for part in name.partition(","))
        first_name, prefix = _trailing_prefix(rest)
        return prefix, surname, first_name
    words = name.split()
    if len(words) < 2:
        return "", name.strip(), ""
    first_name, prefix = _trailing_prefix(" ".join(words[:-1]))
    return prefix, words[-1], first_name


def _trailing_prefix(text: str) -> tuple[str, str]:
    """`text` without the Dutch surname prefix it ends in, and that prefix."""
    lowered = f" {text.lower()}"
    for prefix in NAME_PREFIXES:
        if lowered.endswith(f" {prefix}"):
            return text[: len(text) - len(prefix)].strip(), text[len(text) - len(prefix) :]
    return text.strip(), ""


def _initials(first_names: str) -> str:
    """ "A.M." for "Anna Maria"."""
    return "".join(f"{word[0].upper()}." for word in first_names.split() if word[0].isalpha())
