"""The daily membership job (issue 16) with BENCH_PATRONS patrons (default 1,000,000), on SQLite
and PostgreSQL: `memberships run-daily` for a first day and the day after, on a copy of the
seeded database whose subscriptions were made to end spread over the coming year (the seed
starts them all on one day). The first day has every renewal of the coming notice days to mail
(a backlog no library has twice); the day after is what every following day does. Goal: a day
under a minute at a million patrons."""

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from benchmarks.harness.databases import CACHE
from benchmarks.harness.run import BACKENDS
from benchmarks.harness.servers import BENCH_SECRET
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure, Goal, render
from portal import create_app
from portal.extensions import db
from portal.memberships_cli import run_daily_for
from shared.clock import SYSTEM_CLOCK
from shared.timeutil import local_today

SECONDS = 60
GOAL = Goal(f"< {SECONDS} s", lambda seconds: seconds < SECONDS)
# Each subscription ends on one of the next 365 days (by id), as if members joined all year.
SPREAD = {
    "sqlite": "UPDATE subscription SET end_date = date(:today, '+' || (id % 365) || ' days')",
    "postgresql": "UPDATE subscription SET end_date = CAST(:today AS date) + (id % 365)",
}


def main() -> None:
    """Measure both days on each database and print the table."""
    scale = Scale.from_environment()
    print(f"memberships run-daily: {scale.large:,} patrons", flush=True)
    columns = {}
    for backend, databases in BACKENDS.items():
        with (
            tempfile.TemporaryDirectory(prefix="openbalie-bench-") as folder,
            databases((scale.large,), Path(folder), CACHE) as (url,),
        ):
            columns[backend] = _figures(backend, url, Path(folder), scale)
    print(render(columns))


def _figures(backend: str, url: str, folder: Path, scale: Scale) -> list[Figure]:
    """Seconds of the first day and of the day after, with what each step saw."""
    engine = create_engine(url)
    today = local_today(SYSTEM_CLOCK.now())
    _spread_ends(engine, today.isoformat())
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, **_folders(folder)})
    figures = []
    with app.app_context():
        for label, day in (("first day", today), ("the day after", today + timedelta(days=1))):
            started = time.perf_counter()
            seen = run_daily_for(day).seen
            seconds = time.perf_counter() - started
            row = f"run-daily, {label}, {scale.large:,} patrons"
            shown = f"{seconds:.1f} s ({_steps(seen)})"
            figures.append(Figure(row, GOAL, seconds, shown))
            print(f"  {backend}: {row}: {shown}", flush=True)
        db.engine.dispose()
    engine.dispose()
    return figures


def _spread_ends(engine: Engine, today: str) -> None:
    """Make the subscriptions end spread over the coming year."""
    with engine.begin() as connection:
        connection.execute(text(SPREAD[engine.dialect.name]), {"today": today})


def _folders(folder: Path) -> dict[str, str]:
    """Instance and mail folders of the benchmark's portal."""
    return {"INSTANCE_PATH": str(folder / "instance"), "MAIL_DIR": str(folder / "mail")}


def _steps(seen: dict[str, int]) -> str:
    """What each step saw, the ones that saw something."""
    return ", ".join(f"{name} {count:,}" for name, count in seen.items() if count)


if __name__ == "__main__":
    main()
