"""Patrons by name for the desk's search: each typed name is matched to the names patrons have
(the vocabulary, one typo allowed in names of four letters or more), then patrons are read per
surname and first name through an index, closest names first, a page at a time: the work grows
with the page, not with the number of patrons."""

from collections.abc import Iterator
from itertools import product

from rapidfuzz.distance import OSA
from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import Session

from shared.desk.search_query import SearchQuery
from shared.models.name_key import NameField, NameTerm, PatronNameKey
from shared.models.patron import Patron
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


def has_names(session: Session, words: tuple[str, ...]) -> ColumnElement[bool]:
    """Whether a patron (Patron.id) has, for each of these words, a surname part or first
    name it may mean (a word that means none may be a prefix: "de")."""
    found = [similar_terms(session, word) for word in words]
    return and_(true(), *(has_name(terms) for terms in found if any(terms.values())))


def has_name(terms: Terms) -> ColumnElement[bool]:
    """Whether a patron (Patron.id) has one of these surname parts or first names."""
    key = PatronNameKey
    surnames = [term for _, term in terms[NameField.SURNAME]]
    first_names = [term for _, term in terms[NameField.FIRST_NAME]]
    own = key.surname_key.in_(surnames) | key.first_name_key.in_(first_names)
    return select(key.patron_id).where(key.patron_id == Patron.id, own).exists()


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
    Each word that may be a surname is tried as one, with the first other word that may be a
    first name (a first name can be someone's surname as well: the ranking sorts them out);
    one word that is both a surname and a first name is looked for as either."""
    none = [(0, "")]
    combinations: list[tuple[tuple[int, str], tuple[int, str]]] = []
    for at, word in enumerate(terms):
        combinations += product(word[NameField.SURNAME], _first_names(terms, at) or none)
    if len(terms) == 1 or not combinations:
        combinations += product(none, _first_names(terms))
    pairs = {(s[0] + f[0], s[1], f[1]) for s, f in combinations}
    return sorted(pairs)[:MOST_PAIRS]


def _first_names(terms: list[Terms], but: int | None = None) -> list[tuple[int, str]]:
    """The first names of the first word (but the one at `but`) that may be a first name."""
    return next(
        (
            t[NameField.FIRST_NAME]
            for i, t in enumerate(terms)
            if i != but and t[NameField.FIRST_NAME]
        ),
        [],
    )


def _statement(surname: str, first_name: str, initials: str) -> Select[int]:
    """The patrons with this surname part and first name (either may be empty, not both),
    whose initials start with these, in the order of the index that serves it."""
    key = PatronNameKey
    query = select(key.patron_id)
    if initials:  # a range, not LIKE: an index serves it on SQLite as well
        query = query.where(key.initials_key >= initials, key.initials_key < after_prefix(initials))
    if surname and first_name:
        query = query.where(key.surname_key == surname, key.first_name_key == first_name)
        return query.order_by(key.patron_id)
    if surname:
        query = query.where(key.surname_key == surname)
        return query.order_by(key.initials_key, key.first_name_key, key.patron_id)
    query = query.where(key.first_name_key == first_name)
    return query.order_by(key.surname_key, key.patron_id)


def after_prefix(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (folded, or a compact
    postcode)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
