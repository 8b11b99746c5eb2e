"""The desk's search (*klant zoeken*): one box for a card number (also a replaced or lost card's),
a temporary or system number, an e-mail address (the login's or the library's), a postcode with
house number, a birth date (dd-mm-jjjj) and names (surname with or without prefix, initials,
first name; accents, case and one typo do not matter), alone or combined.

The most telling part reads candidates through an index (number, e-mail, postcode, birth date,
else names: see search_names); every other part then narrows them down, and they are ranked by
how closely the names match."""

from collections.abc import Callable
from datetime import date
from typing import Protocol

from rapidfuzz.distance import OSA
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from shared.desk.patron_numbers import Found, with_main_cards
from shared.desk.search_names import after_prefix, allowed_edits, has_names, patrons_by_name
from shared.desk.search_query import SearchQuery, parse
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.patron import Patron, postcode_compact
from shared.patrons.addresses import compact_postcode, house_parts
from shared.patrons.name_keys import key_rows

CANDIDATES = 500  # patrons read at most for one postcode or birth date (and the names typed)
PREFIX_DIFFERS = 0.5  # "de Vries" typed: a Vries without prefix after the de Vries's
Rank = tuple[float, str, str, str, int]
# What the ranking compares: read for every candidate, the whole patron only for those shown.
COMPARED = (
    Patron.id,
    Patron.initials,
    Patron.prefix,
    Patron.surname,
    Patron.first_name,
    Patron.birth_date,
    Patron.postcode,
    Patron.house_number,
)


class Compared(Protocol):
    """The columns of COMPARED, as a row of them has them."""

    id: int
    initials: str
    prefix: str
    surname: str
    first_name: str
    birth_date: date
    postcode: str
    house_number: str


def search_patrons(session: Session, query: str, limit: int = 50) -> list[Found]:
    """The patrons matching what was typed, most relevant first, at most `limit`."""
    return with_main_cards(session, _ranked(session, parse(query), limit))


def _ranked(session: Session, wanted: SearchQuery, limit: int) -> list[int]:
    """Ids of the matching patrons, most relevant first, at most `limit`."""
    ids = _candidates(session, wanted, limit)
    rows: list[Compared] = []
    if ids:
        rows = list(session.execute(select(*COMPARED).where(Patron.id.in_(_in_use(ids)))))
    ranked = sorted(rank for row in rows if (rank := _rank(wanted, row)) is not None)
    return [rank[-1] for rank in ranked[:limit]]


def _in_use(ids: list[int]) -> Select[int]:
    """The ids of these patrons, a merged duplicate's replaced by the record it went into
    (found by its old number, address or e-mail: the desk sees one patron)."""
    merged = aliased(Patron)
    return select(func.coalesce(merged.merged_into_id, merged.id)).where(merged.id.in_(ids))


def _candidates(session: Session, wanted: SearchQuery, limit: int) -> list[int]:
    """Ids of patrons that match the most telling part of the search."""
    readers: list[tuple[object, Callable[[], list[int]]]] = [
        (wanted.numbers, lambda: _by_number(session, wanted.numbers)),
        (wanted.email, lambda: _by_email(session, wanted.email)),
        (wanted.postcode, lambda: _by_postcode(session, wanted)),
        (wanted.birth_date, lambda: _by_birth_date(session, wanted)),
        (wanted.names, lambda: patrons_by_name(session, wanted, limit)),
    ]
    return next((read() for part, read in readers if part), [])


def _by_number(session: Session, numbers: tuple[str, ...]) -> list[int]:
    """Holders of a card with one of these numbers (in any status), and patrons with one of
    them as temporary or system number."""
    holders = select(Card.patron_id).where(Card.number.in_(numbers))
    own = select(Patron.id).where(
        Patron.temporary_number.in_(numbers) | Patron.system_number.in_(numbers)
    )
    return [*session.scalars(holders), *session.scalars(own)]


def _by_email(session: Session, email: str) -> list[int]:
    """Patrons whose login or library e-mail address this is."""
    logins = select(LoginAccount.id).where(func.lower(LoginAccount.email) == email)
    by_login = select(Patron.id).where(Patron.login_account_id.in_(logins))
    by_library = select(Patron.id).where(func.lower(Patron.library_email) == email)
    return [*session.scalars(by_login), *session.scalars(by_library)]


def _by_postcode(session: Session, wanted: SearchQuery) -> list[int]:
    """Patrons living at this postcode (or in its area, when only its digits were typed) with
    a house number starting with these digits and the names typed."""
    query = select(Patron.id).where(  # a range, so that the digits alone are served as well
        postcode_compact >= wanted.postcode,
        postcode_compact < after_prefix(wanted.postcode),
        Patron.house_number.startswith(wanted.house_number),
    )
    return _first_named(session, query, wanted)


def _by_birth_date(session: Session, wanted: SearchQuery) -> list[int]:
    """Patrons born on the date, with the names typed."""
    query = select(Patron.id).where(Patron.birth_date == wanted.birth_date)
    return _first_named(session, query, wanted)


def _first_named(session: Session, query: Select[int], wanted: SearchQuery) -> list[int]:
    """The first CANDIDATES patrons of the query with a name the typed names may mean: with
    many patrons on one birth date or postcode, the names pick them out in the database."""
    if wanted.names:
        query = query.where(has_names(session, wanted.names))
    return list(session.scalars(query.order_by(Patron.id).limit(CANDIDATES)))


def _rank(wanted: SearchQuery, patron: Compared) -> Rank | None:
    """Where the patron goes in the results (lower first); None if it does not match."""
    if not _details_match(wanted, patron):
        return None
    names = key_rows(patron.id, patron.initials, patron.prefix, patron.surname, patron.first_name)
    if not names or not names[0]["initials_key"].startswith(wanted.initials):
        return None
    own = {row[key] for row in names for key in ("surname_key", "first_name_key")}
    own |= set(names[0]["prefix_key"].split())
    edits = [min(OSA.distance(word, name) for name in own) for word in wanted.names]
    if any(n > allowed_edits(word) for n, word in zip(edits, wanted.names, strict=True)):
        return None
    first = names[0]
    score = sum(edits) + (PREFIX_DIFFERS if wanted.prefix not in ("", first["prefix_key"]) else 0)
    return score, first["surname_key"], first["initials_key"], first["first_name_key"], patron.id


def _details_match(wanted: SearchQuery, patron: Compared) -> bool:
    """Whether the birth date, postcode and house number typed (if any) are the patron's."""
    number, addition = house_parts(patron.house_number)
    return (
        wanted.birth_date in (None, patron.birth_date)
        and compact_postcode(patron.postcode).startswith(wanted.postcode)
        and wanted.house_number in ("", number)
        and wanted.addition in ("", addition)
    )
