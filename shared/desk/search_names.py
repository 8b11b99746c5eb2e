"""Patrons by name for the desk's search: each typed name is matched to the names patrons have
(the vocabulary, one typo allowed in names of four letters or more), then patrons are read per
surname and first name through an index, closest names first, a page at a time: the work grows
with the page, not with the number of patrons."""

from collections.abc import Iterator
from itertools import product

from rapidfuzz.distance import OSA
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shared.desk.search_query import SearchQuery
from shared.models.name_key import NameField, NameTerm, PatronNameKey
from shared.patrons.name_keys import variants

TYPO_FROM = 4  # shorter names must be typed exactly (Bos is not Vos)
MOST_PAIRS = 20  # (surname, first name) pairs read at most for one search
Terms = dict[NameField, list[tuple[int, str]]]  # per field: (edits, term), closest first


def allowed_edits(word: str) -> int:
    """How many typos a name of this length may hold."""
    return 1 if len(word) >= TYPO_FROM else 0


def similar_terms(session: Session, word: str) -> Terms:
    """The names patrons have that this word may mean, per field."""
    edits = allowed_edits(word)
    query = select(NameTerm.term, NameTerm.field).where(
        NameTerm.variant.in_(sorted(variants(word)) if edits else [word])
    )
    found: Terms = {NameField.SURNAME: [], NameField.FIRST_NAME: []}
    for term, field in {(row[0], row[1]) for row in session.execute(query)}:
        distance = OSA.distance(word, term)
        if distance <= edits:
            found[field].append((distance, term))
    return {field: sorted(terms) for field, terms in found.items()}


def patrons_by_name(session: Session, wanted: SearchQuery, limit: int) -> list[int]:
    """Ids of patrons with these names, closest first, at least `limit` where there are."""
    found: dict[int, None] = {}
    level = 0
    for edits, statement in _statements(session, wanted):
        if edits > level and len(found) >= limit:
            break  # the closer names filled the page
        level = edits
        found.update(dict.fromkeys(session.scalars(statement.limit(limit))))
    return list(found)


def _statements(session: Session, wanted: SearchQuery) -> Iterator[tuple[int, Select[int]]]:
    """For each (surname, first name) pair the words may mean, closest first: its edits and
    the statement reading its patrons in the desk's order."""
    pairs = _pairs([similar_terms(session, word) for word in wanted.names])
    for edits, surname, first_name in pairs:
        yield edits, _statement(surname, first_name, wanted.initials)


def _pairs(terms: list[Terms]) -> list[tuple[int, str, str]]:
    """(edits, surname, first name) to read, closest first; an empty name is not asked for.
    One word that is both a surname and a first name is looked for as either."""
    none = [(0, "")]
    at = _surname_word(terms)
    surnames = terms[at][NameField.SURNAME] if at is not None else []
    others = [t[NameField.FIRST_NAME] for i, t in enumerate(terms) if i != at]
    first_names = next((names for names in others if names), [])
    combinations = list(product(surnames or none, first_names or none))
    if len(terms) == 1 and surnames:
        combinations += product(none, terms[0][NameField.FIRST_NAME])
    pairs = {(s[0] + f[0], s[1], f[1]) for s, f in combinations if s[1] or f[1]}
    return sorted(pairs)[:MOST_PAIRS]


def _surname_word(terms: list[Terms]) -> int | None:
    """Which word is the surname: one that is a surname exactly, else with a typo; the last
    such word (first names come first, and "vries, de" has its prefix taken out)."""
    candidates = [
        (t[NameField.SURNAME][0][0], -i) for i, t in enumerate(terms) if t[NameField.SURNAME]
    ]
    return -min(candidates)[1] if candidates else None


def _statement(surname: str, first_name: str, initials: str) -> Select[int]:
    """The patrons with this surname part and first name (either may be empty, not both),
    whose initials start with these, in the order of the index that serves it."""
    key = PatronNameKey
    query = select(key.patron_id)
    if initials:  # a range, not LIKE: an index serves it on SQLite as well
        query = query.where(key.initials_key >= initials, key.initials_key < _after(initials))
    if surname and first_name:
        query = query.where(key.surname_key == surname, key.first_name_key == first_name)
        return query.order_by(key.patron_id)
    if surname:
        query = query.where(key.surname_key == surname)
        return query.order_by(key.initials_key, key.first_name_key, key.patron_id)
    query = query.where(key.first_name_key == first_name)
    return query.order_by(key.surname_key, key.patron_id)


def _after(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (folded: a-z, 0-9)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
