"""The desk's search (issue 15) with BENCH_PATRONS patrons (default 1,000,000) against 10,000, on
SQLite and PostgreSQL: the p50 of each kind of search (a name, a name with a typo, a card number,
an e-mail address, a postcode with house number, a birth date), both sizes measured in turns
(A B B A …) in this process, each search in a session of its own. Goals: at most 1.5× the small
database's p50, and on PostgreSQL under 100 ms at the large size. Each row also says how many
patrons a search finds on average at each size (at most 50, as the results page lists): a
search that finds more at a million (a birth date alone) reads and lists each of them. The
seeded databases are those of million_patrons.py (kept in instance/bench/)."""

import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from benchmarks.harness.databases import CACHE
from benchmarks.harness.run import BACKENDS
from benchmarks.harness.sampling import Pairs, interleaved, timed
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure, Goal, render
from shared.desk.search import search_patrons
from shared.models.card import Card
from shared.models.patron import Patron

PATRONS = 300  # drawn from each database, searched for in turn
RATIO = 1.5
POSTGRESQL_MS = 100
Typed = Callable[[Patron, Card], str | None]


def _typo(patron: Patron, _card: Card) -> str | None:
    """The surname with its second and third letters swapped (Jnasen), for surnames of five
    letters or more (shorter ones must be typed exactly)."""
    name = patron.surname
    return name[0] + name[2] + name[1] + name[3:] if len(name) >= 5 else None


KINDS: dict[str, Typed] = {
    "name (prefix, surname)": lambda p, _: f"{p.prefix} {p.surname}".strip(),
    "name with a typo": _typo,
    "card number (a scanner)": lambda _, card: card.number,
    "e-mail": lambda p, _: p.library_email.upper(),
    "postcode and house number": lambda p, _: f"{p.postcode.replace(' ', '')}{p.house_number}",
    "birth date": lambda p, _: p.birth_date.strftime("%d-%m-%Y"),
    "initial, surname and birth date": lambda p, _: (
        f"{p.initials} {p.surname} {p.birth_date.strftime('%-d-%-m-%Y')}"
    ),
}


def main() -> None:
    """Measure each kind on each database and print the table."""
    scale = Scale.from_environment()
    started = time.monotonic()
    print(f"desk search: large = {scale.large:,} patrons, small = {scale.small:,}", flush=True)
    columns = {}
    for backend, databases in BACKENDS.items():
        with (
            tempfile.TemporaryDirectory(prefix="openbalie-bench-") as folder,
            databases((scale.small, scale.large), Path(folder), CACHE) as urls,
        ):
            engines = [create_engine(url) for url in urls]
            columns[backend] = _figures(backend, engines, scale)
            for engine in engines:
                engine.dispose()
    print(render(columns))
    print(f"measured in {(time.monotonic() - started) / 60:.1f} min")


def _figures(backend: str, engines: list[Engine], scale: Scale) -> list[Figure]:
    """One figure per kind: large against small."""
    small, large = [(engine, _queries(engine)) for engine in engines]
    budget = scale.budget(least=40, most=1000, seconds=10)
    figures = []
    for kind in KINDS:
        sides = [_side(engine, queries[kind]) for engine, queries in (small, large)]
        pairs = interleaved(*sides, budget)
        found = (_found(small[0], small[1][kind]), _found(large[0], large[1][kind]))
        figures.append(_figure(backend, kind, pairs, scale, found))
        print(f"  {backend}: {figures[-1].row}: {figures[-1].cell}", flush=True)
    return figures


def _figure(backend: str, kind: str, pairs: Pairs, scale: Scale, found: list[float]) -> Figure:
    """The ratio of the medians (≤ 1.5×; on PostgreSQL also under 100 ms at large), with the
    patrons found per search at each size."""
    ratio = pairs.median_ratio
    small_ms, large_ms = (statistics.median(side) * 1000 for side in (pairs.a, pairs.b))
    fast = backend != "PostgreSQL" or large_ms < POSTGRESQL_MS
    goal = Goal(f"≤ {RATIO:g}× (PostgreSQL < {POSTGRESQL_MS} ms)", lambda value: value <= RATIO)
    times = f"{small_ms:.1f} → {large_ms:.1f} ms"
    shown = (
        f"{ratio:.2f}× (p95 {pairs.p95_ratio:.2f}×; {times}; found {found[0]:.1f} → {found[1]:.1f})"
    )
    row = f"search by {kind}, {scale.large:,} vs {scale.small:,} (p50)"
    return Figure(row, goal, ratio if fast else float("inf"), shown)


def _side(engine: Engine, queries: list[str]) -> Callable[[], float]:
    """Seconds one search for the next query takes (a fresh session each time)."""
    turns = itertools.cycle(queries)

    def side() -> float:
        query = next(turns)
        with Session(engine) as session:
            return timed(lambda: search_patrons(session, query))

    return side


def _found(engine: Engine, queries: list[str]) -> float:
    """How many patrons a search for each query finds, on average."""
    with Session(engine) as session:
        return statistics.mean(len(search_patrons(session, query)) for query in queries)


def _queries(engine: Engine) -> dict[str, list[str]]:
    """What staff would type for patrons drawn at random (the same draw every run), per kind."""
    with Session(engine) as session:
        lowest, highest = session.execute(select(func.min(Patron.id), func.max(Patron.id))).one()
        ids = random.Random(15).sample(range(lowest, highest + 1), PATRONS)
        rows = session.execute(
            select(Patron, Card).join(Card, Card.patron_id == Patron.id).where(Patron.id.in_(ids))
        ).all()
        typed = {kind: [write(p, c) for p, c in rows] for kind, write in KINDS.items()}
    return {kind: [query for query in queries if query] for kind, queries in typed.items()}


if __name__ == "__main__":
    main()
