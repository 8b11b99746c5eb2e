"""Housekeeping on both databases, in this process: the purge of unconfirmed accounts, and the
reconciliation of payments with the provider (the Mollie sandbox)."""

import logging
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks.harness.rows import PURGE, RECONCILE, figure, ratio
from benchmarks.harness.sampling import Pairs, Side, interleaved, p95, timed
from benchmarks.harness.servers import BENCH_SECRET
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from portal import create_app
from portal.extensions import db
from portal.settlement import reconcile
from shared.clock import SYSTEM_CLOCK
from shared.signup.purge import purge_unconfirmed
from tests.support.mollie_sandbox import running_sandbox


def housekeeping_figures(
    engines: tuple[Engine, Engine], folder: Path, scale: Scale
) -> list[Figure]:
    """The purge (seconds on the large database, and against the small one) and reconcile."""
    small, large = engines
    purges = interleaved(_purge(small), _purge(large), scale.budget(least=3, most=20, seconds=30))
    with running_sandbox() as sandbox:
        apps = [_portal(engine, sandbox.url, sandbox.api_key, folder) for engine in engines]
        with _quiet():
            reconciled = interleaved(
                _reconcile(apps[0]), _reconcile(apps[1]), scale.budget(least=1, most=10, seconds=60)
            )
    return [_purge_figure(purges), ratio(RECONCILE, reconciled)]


def _purge(engine: Engine) -> Side:
    """Seconds one `accounts purge` takes, its commit included (the seeded accounts all belong
    to a patron: it finds and deletes nothing, so every run does the same)."""
    return lambda: timed(partial(_purge_once, engine))


def _purge_once(engine: Engine) -> None:
    """One purge, committed, in a session of its own."""
    with Session(engine) as session:
        purge_unconfirmed(session, SYSTEM_CLOCK.now())
        session.commit()


def _purge_figure(purges: Pairs) -> Figure:
    """Seconds on the large database; its ratio to the small one beside them."""
    seconds = statistics.median(purges.b)
    shown = f"{seconds:.3f} s (p95 {p95(purges.b):.3f} s; {purges.median_ratio:.2f}× of small)"
    return figure(PURGE, seconds, shown)


def _portal(engine: Engine, sandbox_url: str, api_key: str, folder: Path) -> Flask:
    """The portal app on the engine's database, paying at the sandbox."""
    name = engine.url.database.rsplit("/", 1)[-1] if engine.url.database else "database"
    return create_app(
        {
            "INSTANCE_PATH": str(folder / f"instance-{name}"),
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": BENCH_SECRET,
            "MOLLIE_API_KEY": api_key,
            "MOLLIE_API_ENDPOINT": sandbox_url,
            "MAIL_DIR": str(folder / "mail"),
        }
    )


def _reconcile(app: Flask) -> Side:
    """Seconds one `payments reconcile` takes."""

    def side() -> float:
        with app.app_context():
            seconds = timed(reconcile)
            db.session.remove()
        return seconds

    return side


@contextmanager
def _quiet() -> Iterator[None]:
    """No log lines while reconciling: the sandbox knows none of the seeded direct-debit
    schedules, and each would log its error (thousands of lines, not figures)."""
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)
