"""A throwaway PostgreSQL server from Debian's package, started for the tests and removed after."""

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import free_port


def _bin(name: str) -> str:
    """A PostgreSQL server program from the newest installed Debian version."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is missing: `make test` installs the postgresql package")
    return found[-1]


def _run(owner: str, *command: str) -> None:
    """Run a server program as the cluster's owner (PostgreSQL refuses to run as root)."""
    prefix = ["runuser", "-u", owner, "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {done.stderr or done.stdout}")


@contextmanager
def postgres_server(database: str = "openbalie") -> Iterator[str]:
    """Start a cluster on a free port; yields a SQLAlchemy URL of its (empty) `database`."""
    owner = "postgres" if os.geteuid() == 0 else getpass.getuser()
    # Not under pytest's tmp: that is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="openbalie-pg-"))
    data, port = base / "data", str(free_port())
    shutil.chown(base, owner)
    _run(owner, _bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(
        owner,
        _bin("pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(base / "log"),
        "-w",
        "start",
    )
    try:
        _run(owner, _bin("createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", database)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        _run(owner, _bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
