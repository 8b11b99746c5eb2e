"""The servers measured, each a program of its own on a free port: the portal as `python -m
portal` serves it, and the reference sides."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from tests.support import portals
from tests.support.programs import HOST, running_program
from tests.support.servers import free_port

BENCH_SECRET = "benchmark-secret-key-not-for-production"
# The login form's limit would stop the measurement, not a patron; everything else as shipped.
UNLIMITED = "1000000 per minute"


@dataclass(frozen=True)
class Server:
    """A running server: its base URL, and its process id (to read its memory)."""

    url: str
    pid: int


@contextmanager
def running_portal(database_url: str, folder: Path) -> Iterator[Server]:
    """`python -m portal` on the database; its log in `folder`."""
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": BENCH_SECRET,
        "LOGIN_RATE_LIMIT": UNLIMITED,
    }
    log = folder / f"portal-{Path(make_url(database_url).database or 'database').stem}.log"
    with portals.running_portal(settings, log) as (url, program):
        yield Server(url, program.process.pid)


@contextmanager
def running_bare_page(pages: Path, folder: Path) -> Iterator[Server]:
    """The bare Flask app answering with the pages stored in `pages`."""
    with _running("bare_page", folder, pages) as server:
        yield server


@contextmanager
def running_reference_provider(folder: Path) -> Iterator[Server]:
    """The minimal Authlib provider, its database in `folder`."""
    with _running("oidc_provider", folder, folder) as server:
        yield server


@contextmanager
def _running(reference: str, folder: Path, argument: Path) -> Iterator[Server]:
    """`python -m benchmarks.reference.<reference> PORT ARGUMENT`; its log in `folder`."""
    port = free_port(HOST)
    command = (sys.executable, "-m", f"benchmarks.reference.{reference}", str(port), str(argument))
    with running_program(reference, command, port, folder / f"{reference}.log") as program:
        yield Server(f"http://{HOST}:{port}", program.process.pid)
