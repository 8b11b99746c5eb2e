"""A throwaway redis-server from Debian's package, started for the tests and removed after."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.programs import HOST, running_program
from tests.support.servers import free_port


@contextmanager
def redis_server() -> Iterator[str]:
    """Start a redis-server on a free port that keeps nothing on disk; yields its redis:// URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise RuntimeError("redis-server is missing: `make test` installs the redis-server package")
    port = free_port(HOST)
    with tempfile.TemporaryDirectory(prefix="openbalie-redis-") as folder:
        command = (
            program, "--port", str(port), "--bind", HOST, "--dir", folder,
            "--save", "", "--appendonly", "no",
        )  # fmt: skip
        with running_program("redis-server", command, port, Path(folder) / "log"):
            yield f"redis://{HOST}:{port}/0"
