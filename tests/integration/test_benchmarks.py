"""The harness of `make bench` works end to end: every row of its table measured at a tiny scale
(the figures mean nothing at this size: benchmarks time, tests do not), and the seeded
PostgreSQL databases come back from their archive."""

from pathlib import Path

from sqlalchemy import create_engine, func, select

from benchmarks.harness.databases import postgres_databases
from benchmarks.harness.rows import ORDER
from benchmarks.harness.run import measure
from benchmarks.harness.settings import Scale
from shared.models.patron import Patron

TINY = Scale(small=40, large=80, memory_requests=100, effort=0.01)


def test_every_row_is_measured_on_seeded_databases(tmp_path: Path) -> None:
    figures = measure("SQLite", TINY, tmp_path, cache=tmp_path / "cache")
    assert [figure.row for figure in figures] == ORDER
    assert all(figure.value > 0 for figure in figures)
    assert len(list((tmp_path / "cache").glob("seed-*.sqlite3"))) == 2


def patrons(database_url: str) -> int:
    """How many patrons the database holds."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Patron)).scalar_one()
    engine.dispose()
    return count


def test_a_seeded_postgres_database_is_archived_and_restored(tmp_path: Path) -> None:
    with postgres_databases((30,), tmp_path) as (seeded,):
        assert patrons(seeded) == 30
    with postgres_databases((30,), tmp_path) as (restored,):
        assert patrons(restored) == 30
    assert len(list(tmp_path.glob("seed-*-30.pgdump"))) == 1
