"""Duplicates before they happen (*ontdubbelen*): the patrons a new registration may be.

Two indexed look-ups make a small set of candidates (the same birth date; the same postcode and
house number), and names are compared in Python over only those: never a scan of the patrons."""

import unicodedata

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from shared.models.patron import Patron
from shared.signup.registration import PersonalDetails

# How alike two names must be (0-100) to count as one: a typo or two in a surname (Jansen,
# Janssen; Bakker, Bakeer), not another name of the same length.
SIMILAR = 80
# At most this many candidates per look-up: all institutions share one birth date (01-01-1980).
CANDIDATES = 500


def likely_duplicates(session: Session, details: PersonalDetails) -> list[Patron]:
    """Patrons with the same birth date and a similar name, or with the same postcode, house
    number and first initial; by name."""
    same_birth = _candidates(session, Patron.birth_date == details.birth_date)
    same_address = _candidates(
        session,
        (Patron.postcode == details.postcode) & (Patron.house_number == details.house_number),
    )
    found = {p.id: p for p in same_birth if _similar_name(p, details)}
    found |= {p.id: p for p in same_address if _initial_of(p) == _initial_of(details)}
    return sorted(found.values(), key=lambda p: (_letters(p.surname), p.id))


def _candidates(session: Session, condition: ColumnElement[bool]) -> list[Patron]:
    """The patrons meeting one indexed condition, at most CANDIDATES of them."""
    query = select(Patron).where(condition).order_by(Patron.id).limit(CANDIDATES)
    return list(session.scalars(query))


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
