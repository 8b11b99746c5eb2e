"""Duplicates before they happen (*ontdubbelen*): the patrons a new registration may be.

Two indexed look-ups make a small set of candidates (the same birth date and a surname of the
search's vocabulary one typo away; the same postcode), and names and house numbers are compared
in Python over only those: never a scan of the patrons, and never a cut-off list of all born on
one day (every institution is born on 01-01-1980)."""

import unicodedata

from rapidfuzz import fuzz
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shared.desk.search_names import similar_terms
from shared.models.name_key import NameField, PatronNameKey
from shared.models.patron import Patron, postcode_compact
from shared.patrons.addresses import compact_postcode, house_parts
from shared.patrons.name_keys import surname_parts
from shared.signup.registration import PersonalDetails

# How alike two names must be (0-100) to count as one: a typo or two in a surname (Jansen,
# Janssen; Bakker, Bakeer), not another name of the same length.
SIMILAR = 80
# At most this many candidates per look-up (patrons born on one day with one surname, or living
# at one postcode, are far fewer).
CANDIDATES = 500


def likely_duplicates(session: Session, details: PersonalDetails) -> list[Patron]:
    """Patrons with the same birth date and a similar name, or with the same postcode, house
    number and first initial; by name."""
    same_birth = _candidates(session, _born_with_surname(session, details))
    same_postcode = _candidates(
        session, select(Patron).where(postcode_compact == compact_postcode(details.postcode))
    )
    found = {p.id: p for p in same_birth if _similar_name(p, details)}
    found |= {p.id: p for p in same_postcode if _same_house(p, details)}
    return sorted(found.values(), key=lambda p: (_letters(p.surname), p.id))


def _born_with_surname(session: Session, details: PersonalDetails) -> Select[Patron]:
    """The patrons born on the date with a surname part one typo from one typed."""
    terms = {
        term
        for part in surname_parts(details.prefix, details.surname)[1]
        for _, term in similar_terms(session, part)[NameField.SURNAME]
    }
    named = select(PatronNameKey.patron_id).where(PatronNameKey.surname_key.in_(sorted(terms)))
    return select(Patron).where(Patron.birth_date == details.birth_date, Patron.id.in_(named))


def _candidates(session: Session, query: Select[Patron]) -> list[Patron]:
    """The patrons a look-up reads (not merged duplicates), at most CANDIDATES of them."""
    in_use = query.where(Patron.merged_into_id.is_(None))
    return list(session.scalars(in_use.order_by(Patron.id).limit(CANDIDATES)))


def _same_house(patron: Patron, details: PersonalDetails) -> bool:
    """Whether the house number (12a is 12-A) and the first initial are the same."""
    same_house = house_parts(patron.house_number) == house_parts(details.house_number)
    return same_house and _initial_of(patron) == _initial_of(details)


def _similar_name(patron: Patron, details: PersonalDetails) -> bool:
    """Whether the surnames are alike, with or without prefix (typed into the surname or not)."""
    known = _name_forms(patron.prefix, patron.surname)
    typed = _name_forms(details.prefix, details.surname)
    return any(fuzz.ratio(a, b) >= SIMILAR for a in known for b in typed if a and b)


def _name_forms(prefix: str, surname: str) -> set[str]:
    """A surname as letters only: alone, and with its prefix ("de Vries", "De Vries", "Vries")."""
    return {_letters(surname), _letters(prefix + surname)}


def _initial_of(person: Patron | PersonalDetails) -> str:
    """The first letter of the initials, else of the first name; empty for neither."""
    return _letters(person.initials or person.first_name)[:1]


def _letters(text: str) -> str:
    """Lower-case letters only, accents dropped (Müller → muller, 'T Hart → thart)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))
