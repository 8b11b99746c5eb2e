"""Seeded databases, built once as `flask db upgrade`, `catalogue load` and `demo seed` build them
and kept in instance/bench/ per seeding code and size: a SQLite file copied for each run, or a
pg_dump archive restored into a throwaway PostgreSQL server (restoring a million patrons takes
half a minute there, seeding them ten times as long). Each copy is then migrated to the head, as
a library's database is on an upgrade, so a new migration costs its own run, not a new seed."""

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from benchmarks.harness.servers import BENCH_SECRET
from portal import create_app
from portal.extensions import db
from shared.catalogue.loader import load_catalogue
from shared.clock import SYSTEM_CLOCK
from shared.demo import seed
from shared.paths import PROJECT_ROOT
from tests.support.postgres import postgres_server

CACHE = PROJECT_ROOT / "instance" / "bench"
PASSWORD = "benchmark-password-1"


@contextmanager
def sqlite_databases(sizes: tuple[int, ...], folder: Path, cache: Path) -> Iterator[list[str]]:
    """URLs of fresh copies (in `folder`) of SQLite databases seeded with these many patrons."""
    yield [_sqlite_copy(patrons, folder, cache) for patrons in sizes]


@contextmanager
def postgres_databases(sizes: tuple[int, ...], cache: Path) -> Iterator[list[str]]:
    """URLs of databases seeded with these many patrons, on a throwaway PostgreSQL server."""
    with postgres_server() as server_url:
        yield [_postgres_database(server_url, patrons, cache) for patrons in sizes]


def _sqlite_copy(patrons: int, folder: Path, cache: Path) -> str:
    """A copy of the cached SQLite database (seeded first if need be)."""
    cached = cache / f"{_key(patrons)}.sqlite3"
    if not cached.exists():
        _keep(cached, lambda file: _seed(f"sqlite:///{file}", patrons))
    copy = folder / f"patrons-{patrons}.sqlite3"
    shutil.copyfile(cached, copy)
    _migrate(f"sqlite:///{copy}")
    return f"sqlite:///{copy}"


def _postgres_database(server_url: str, patrons: int, cache: Path) -> str:
    """A new database on the server, restored from the cached archive or seeded (and then
    archived), analysed as autovacuum would have by the time patrons come."""
    url = make_url(server_url).set(database=f"patrons_{patrons}")
    database_url = url.render_as_string(hide_password=False)
    _execute(server_url, f"CREATE DATABASE {url.database}")
    libpq_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    archive = cache / f"{_key(patrons)}.pgdump"
    if archive.exists():
        _run("pg_restore", "--jobs=2", "--no-owner", f"--dbname={libpq_url}", str(archive))
        _migrate(database_url)
    else:
        _seed(database_url, patrons)
        _keep(archive, lambda file: _run("pg_dump", "--format=custom", f"--file={file}", libpq_url))
    _execute(database_url, "VACUUM ANALYZE")
    return database_url


def _key(patrons: int) -> str:
    """What a seeded database depends on: the seeding code and its size."""
    code = hashlib.sha256(Path(seed.__file__).read_bytes()).hexdigest()[:8]
    return f"seed-{code}-{patrons}"


def _keep(target: Path, write: Callable[[Path], object]) -> None:
    """Write the file under another name, then give it its own (an interrupted build leaves no
    half a database), and remove the ones of this size it replaces."""
    target.parent.mkdir(parents=True, exist_ok=True)
    patrons = target.stem.rsplit("-", 1)[-1]
    for stale in target.parent.glob(f"seed-*-{patrons}{target.suffix}"):
        stale.unlink()
    building = target.with_name(f"building-{target.name}")
    building.unlink(missing_ok=True)
    write(building)
    building.rename(target)


def _migrate(database_url: str) -> None:
    """Bring a restored database to the migrations' head."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": BENCH_SECRET})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _seed(database_url: str, patrons: int) -> None:
    """Migrate, load the catalogue and seed, as the portal's commands do."""
    print(f"  seeding {patrons:,} patrons (once per seeding code and size)", flush=True)
    with tempfile.TemporaryDirectory(prefix="openbalie-seed-") as instance:
        settings = {"DATABASE_URL": database_url, "INSTANCE_PATH": instance}
        app = create_app({**settings, "SECRET_KEY": BENCH_SECRET})
        with app.app_context():
            upgrade()
            load_catalogue(db.session(), Path(app.config["CATALOGUE_FILE"]))
            db.session.commit()
            seed.seed_patrons(db.session(), patrons, PASSWORD, SYSTEM_CLOCK.now())
            db.session.remove()
            db.engine.dispose()


def _run(*command: str) -> None:
    """Run a PostgreSQL client program; fail with what it wrote."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[:6])} failed:\n{done.stderr or done.stdout}")


def _execute(database_url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE DATABASE and VACUUM need that)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()
