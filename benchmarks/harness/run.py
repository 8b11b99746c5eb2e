"""Every row of the table on one kind of database, from seeded databases to figures."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import create_engine

from benchmarks.harness.databases import CACHE, postgres_databases, sqlite_databases
from benchmarks.harness.housekeeping import housekeeping_figures
from benchmarks.harness.logins import login_figures
from benchmarks.harness.lookups import lookup_figures
from benchmarks.harness.members import random_members
from benchmarks.harness.memory import memory_figure
from benchmarks.harness.pages import page_figures
from benchmarks.harness.rows import ORDER
from benchmarks.harness.servers import running_portal
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from benchmarks.harness.tokens import token_figure

MEMBERS = 500  # drawn from each database, looked up and logged in in turn
# Seeded databases of these sizes: (sizes, working folder, cache folder) -> their URLs.
Databases = Callable[[tuple[int, ...], Path, Path], AbstractContextManager[list[str]]]
BACKENDS: dict[str, Databases] = {
    "SQLite": sqlite_databases,
    "PostgreSQL": lambda sizes, _folder, cache: postgres_databases(sizes, cache),
}


def measure(backend: str, scale: Scale, folder: Path, cache: Path = CACHE) -> list[Figure]:
    """The figures of every row, in the table's order, on fresh seeded databases (built once
    and kept in `cache`); each printed as it is measured."""
    sizes = (scale.small, scale.large)
    with BACKENDS[backend](sizes, folder, cache) as (small_url, large_url):
        engines = create_engine(small_url), create_engine(large_url)
        small, large = [(engine, random_members(engine, MEMBERS)) for engine in engines]
        figures = _said(backend, lookup_figures(small, large, scale))
        figures += _said(backend, housekeeping_figures(engines, folder, scale))
        with (
            running_portal(small_url, folder) as small_portal,
            running_portal(large_url, folder) as large_portal,
        ):
            logins = login_figures((small_portal, small[1]), (large_portal, large[1]), scale)
            figures += _said(backend, logins)
            figures += _said(backend, page_figures(large_portal, folder, scale))
            figures += _said(backend, [token_figure((large_portal, *large), folder, scale)])
            figures += _said(backend, [memory_figure(large_portal, large[1], scale)])
        for engine in engines:
            engine.dispose()
    return sorted(figures, key=lambda figure: ORDER.index(figure.row))


def _said(backend: str, figures: list[Figure]) -> list[Figure]:
    """The figures, printed as they come (a full run takes a while)."""
    for figure in figures:
        print(f"  {backend}: {figure.row}: {figure.cell}", flush=True)
    return figures
