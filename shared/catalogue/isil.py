"""The ISIL directory (seed 003): load it from a file, and find which libraries may have issued a
card by its number's branch prefix.

The prefix is four digits of the card number. Dutch library card numbers of 13 digits or more
begin with a leading digit, 2 (the EAN-13 range for numbers given out within one organisation,
as our own cards do: 2 527 0…): their prefix is digits 2 to 5. A shorter number, or one that
begins with another digit, has no leading digit: its prefix is digits 1 to 4."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.catalogue.loader import DATA_DIR, CatalogueError
from shared.library_codes import ISIL
from shared.models.isil import IsilLibrary, IsilPrefix
from shared.text import is_plain_text, max_length

DEFAULT_DIRECTORY = DATA_DIR / "isil-directory.toml"
LEADING_DIGIT = "2"
LEADING_DIGIT_LENGTH = 13  # a number this long or longer that starts with 2 has a leading digit
PREFIX = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class Candidate:
    """A library that may have issued the card."""

    isil: str
    organisation: str


@dataclass(frozen=True)
class Lookup:
    """A card number's branch prefix and the libraries that use it (none, one, or several)."""

    prefix: str
    candidates: list[Candidate]

    def as_json(self) -> dict[str, object]:
        """The stable form `flask isil lookup` prints."""
        found = [{"isil": c.isil, "organisation": c.organisation} for c in self.candidates]
        return {"prefix": self.prefix, "candidates": found}


def card_prefix(number: str) -> str:
    """The branch prefix of a card number (see the module's docstring); ValueError when the
    number is not at least five digits."""
    digits = number.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) >= 5):
        raise ValueError(f"not a card number: {number!r}")
    leading = len(digits) >= LEADING_DIGIT_LENGTH and digits.startswith(LEADING_DIGIT)
    return digits[1:5] if leading else digits[:4]


def lookup(session: Session, number: str) -> Lookup:
    """The libraries in the directory that use the card number's prefix, by ISIL."""
    prefix = card_prefix(number)
    query = (
        select(IsilLibrary)
        .join(IsilPrefix, IsilPrefix.isil == IsilLibrary.isil)
        .where(IsilPrefix.prefix == prefix)
        .order_by(IsilLibrary.isil)
    )
    found = [Candidate(row.isil, row.organisation) for row in session.scalars(query)]
    return Lookup(prefix, found)


def search_libraries(session: Session, text: str, limit: int = 20) -> list[Candidate]:
    """The libraries whose organisation's name or ISIL holds the text, in any case and with or
    without accents ("fryslan" finds Fryslân), by name; at most `limit`. The directory is a few
    hundred libraries: they are compared here, alike on SQLite and PostgreSQL."""
    wanted = folded(text)
    if not wanted:
        return []
    rows = session.scalars(select(IsilLibrary).order_by(IsilLibrary.organisation, IsilLibrary.isil))
    found = (row for row in rows if wanted in folded(f"{row.organisation} {row.isil}"))
    return [Candidate(row.isil, row.organisation) for row in islice(found, limit)]


def folded(text: str) -> str:
    """Text as a search compares it: case folded, accents dropped, spaces single."""
    letters = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in letters if not unicodedata.combining(c)).split())


def libraries_for_card(
    session: Session, number: str, search: str = "", isil: str = ""
) -> list[Candidate]:
    """The libraries a card may come from: the one of `isil` alone when it is known (the chip's,
    or chosen), else those of the number's prefix; then those found by name, each once."""
    if isil:
        return [library_of(session, isil) or Candidate(isil, isil)]
    try:
        by_number = lookup(session, number).candidates
    except ValueError:  # not digits: found by name only
        by_number = []
    found = [*by_number, *search_libraries(session, search)]
    return list({candidate.isil: candidate for candidate in found}.values())


def library_of(session: Session, isil: str) -> Candidate | None:
    """The directory's library of this ISIL, if it lists it."""
    row = session.get(IsilLibrary, isil)
    return Candidate(row.isil, row.organisation) if row else None


def load_directory(session: Session, path: Path = DEFAULT_DIRECTORY) -> tuple[int, int]:
    """Insert or update each library of the file by ISIL, its prefixes replaced by the file's
    (libraries the file leaves out stay as they are); the counts of libraries and prefixes."""
    libraries = [_checked(entry) for entry in _entries(path)]
    _check_unique(libraries)
    for library, prefixes in libraries:
        session.merge(library)
        session.execute(delete(IsilPrefix).where(IsilPrefix.isil == library.isil))
        session.add_all(IsilPrefix(prefix=prefix, isil=library.isil) for prefix in prefixes)
    session.flush()
    return len(libraries), sum(len(prefixes) for _library, prefixes in libraries)


def _entries(path: Path) -> list[dict[str, object]]:
    """The file's [[library]] tables; CatalogueError for a file that is not such a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"ISIL directory: not a UTF-8 TOML file ({error})") from error
    entries = data.get("library")
    if (
        not entries
        or not isinstance(entries, list)
        or not all(isinstance(e, dict) for e in entries)
    ):
        raise CatalogueError("ISIL directory: no [[library]] entries")
    return entries


def _checked(entry: dict[str, object]) -> tuple[IsilLibrary, list[str]]:
    """One [[library]] entry of the file as a row and its prefixes, or CatalogueError."""
    isil, organisation = entry.get("isil"), entry.get("organisation")
    if not isinstance(isil, str) or not ISIL.fullmatch(isil):
        raise CatalogueError(f"ISIL directory: {isil!r} is not an ISIL (NL-123456)")
    if not isinstance(organisation, str) or not organisation.strip():
        raise CatalogueError(f"ISIL directory: {isil} names no organisation")
    limit = max_length(IsilLibrary.organisation)
    if not is_plain_text(organisation) or len(organisation.strip()) > limit:
        raise CatalogueError(
            f"ISIL directory: {isil}: the organisation is not plain text up to {limit} characters"
        )
    updated = entry.get("updated")
    if updated is not None and not isinstance(updated, date):
        raise CatalogueError(f"ISIL directory: {isil}: updated is not a date (2025-06-19)")
    prefixes = entry.get("prefixes", [])
    if not isinstance(prefixes, list) or not all(
        isinstance(p, str) and PREFIX.fullmatch(p) for p in prefixes
    ):
        raise CatalogueError(f"ISIL directory: {isil}: prefixes are four digits each")
    library = IsilLibrary(isil=isil, organisation=organisation.strip(), updated_on=updated)
    return library, sorted(set(prefixes))


def _check_unique(libraries: list[tuple[IsilLibrary, list[str]]]) -> None:
    """Refuse a file that lists one ISIL twice (which of the two would hold?)."""
    seen: set[str] = set()
    for library, _prefixes in libraries:
        if library.isil in seen:
            raise CatalogueError(f"ISIL directory: {library.isil} is listed twice")
        seen.add(library.isil)
