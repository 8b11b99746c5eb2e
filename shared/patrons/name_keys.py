"""A patron's names folded for the desk's search (no accents, case or punctuation; the surname
without its prefix, a double surname in parts), kept in patron_name_key and the vocabulary
name_term. Every write of a patron's names calls `index_names` (the seed and the migration add
rows in bulk through `add_name_keys`), so the search never reads a stale name; erasing a patron
removes their keys and then `forget_terms` the names no other patron has."""

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import product
from typing import Any

from sqlalchemy import and_, delete, exists, insert, or_, tuple_
from sqlalchemy.orm import Session

from shared.db import insert_all_or_ignore
from shared.models.name_key import NameField, NameTerm, PatronNameKey
from shared.models.patron import Patron

# Dutch name prefixes (*tussenvoegsels*) and the common foreign ones, folded: a surname is
# searched for without them ("de Vries" is filed under "vries").
PREFIXES = frozenset(
    ("aan", "af", "al", "bij", "d", "da", "dal", "de", "del", "della", "den", "der", "des")
    + ("di", "do", "dos", "du", "el", "het", "in", "l", "la", "le", "los", "onder", "op")
    + ("over", "s", "t", "te", "ten", "ter", "uit", "van", "vanden", "vander", "von", "vom")
    + ("voor", "zu")
)
# Letters that Unicode does not decompose into a base letter and a mark.
LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})
Row = dict[str, Any]
NAME_COLUMNS = ("surname_key", "first_name_key")  # the key's columns the vocabulary holds


@lru_cache(maxsize=8192)  # names repeat: the search folds every candidate's
def fold(text: str) -> str:
    """Lower case without accents, every run of other characters than letters and digits one
    space: "Müller-Lüdenscheidt" is "muller ludenscheidt"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def surname_parts(prefix: str, surname: str) -> tuple[str, list[str]]:
    """The folded prefix and the surname's own parts; a prefix typed into the surname field
    ("van Dijk") counts as prefix."""
    words = fold(surname).split()
    parts = [word for word in words if word not in PREFIXES] or words
    leading = [word for word in words if word in PREFIXES and word not in parts]
    return " ".join(fold(prefix).split() + leading), list(dict.fromkeys(parts))


def key_rows(
    patron_id: int, initials: str, prefix: str, surname: str, first_name: str
) -> list[Row]:
    """The patron_name_key rows of one patron: one per surname part and first-name word,
    the first of them with the first surname part and the first first-name word."""
    prefix_key, parts = surname_parts(prefix, surname)
    first_names = list(dict.fromkeys(fold(first_name).split())) or [""]
    shared = {
        "patron_id": patron_id,
        "initials_key": fold(initials).replace(" ", ""),
        "prefix_key": prefix_key,
    }
    return [
        {**shared, "surname_key": part, "first_name_key": first}
        for part, first in product(parts, first_names)
    ]


def variants(term: str) -> set[str]:
    """The term and every string one letter shorter."""
    return {term} | {term[:i] + term[i + 1 :] for i in range(len(term))} - {""}


def term_rows(rows: Iterable[Row]) -> list[Row]:
    """The name_term rows of these keys' surname parts and first names (each once)."""
    terms = {(row["surname_key"], NameField.SURNAME) for row in rows}
    terms |= {(row["first_name_key"], NameField.FIRST_NAME) for row in rows}
    terms.discard(("", NameField.FIRST_NAME))
    return [
        {"variant": variant, "term": term, "field": field}
        for term, field in sorted(terms)
        for variant in sorted(variants(term))
    ]


def add_name_keys(session: Session, rows: list[Row]) -> None:
    """Insert key rows and whatever their names add to the vocabulary."""
    if rows:
        session.execute(insert(PatronNameKey), rows)
        insert_all_or_ignore(session, NameTerm, term_rows(rows))


def index_names(session: Session, patron: Patron) -> None:
    """File the (new or changed) names of a flushed patron for the search."""
    session.execute(delete(PatronNameKey).where(PatronNameKey.patron_id == patron.id))
    add_name_keys(session, patron_key_rows(patron))


def patron_key_rows(patron: Patron) -> list[Row]:
    """The patron_name_key rows of the patron's names as they are now."""
    names = (patron.initials, patron.prefix or "", patron.surname, patron.first_name or "")
    return key_rows(patron.id, *names)


def term_keys(rows: list[Row]) -> list[tuple[str, str, NameField]]:
    """The primary keys of the name_term rows of these key rows' names."""
    return [(term["variant"], term["term"], term["field"]) for term in term_rows(rows)]


def forget_terms(session: Session, removed: list[Row]) -> None:
    """Remove the vocabulary's rows of these removed key rows' names that no key left has (the
    same name of another patron keeps its term), looked up by their primary key."""
    rows = term_keys(removed)
    if not rows:
        return
    unused = or_(
        and_(
            NameTerm.field == NameField.SURNAME,
            ~exists().where(PatronNameKey.surname_key == NameTerm.term),
        ),
        and_(
            NameTerm.field == NameField.FIRST_NAME,
            ~exists().where(PatronNameKey.first_name_key == NameTerm.term),
        ),
    )
    listed = tuple_(NameTerm.variant, NameTerm.term, NameTerm.field).in_(rows)
    session.execute(delete(NameTerm).where(listed, unused))
