"""Several portal processes as production runs them: `python -m portal` programs on one database,
a round-robin proxy in front, and requests sent to all of them at the same moment."""

import itertools
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from werkzeug.wrappers import Request, Response

from tests.support.programs import HOST, Program, running_program
from tests.support.servers import free_port

PORTAL_COMMAND = (sys.executable, "-m", "portal")
# Hop-by-hop headers, and what the proxy sets itself for the body it passes on.
NOT_PASSED_ON = {
    "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host",
}  # fmt: skip
TIMEOUT = 30
T = TypeVar("T")


@contextmanager
def running_portal(settings: Mapping[str, str], log: Path) -> Iterator[tuple[str, Program]]:
    """`python -m portal` on a free port with `settings` as its environment; yields its base URL
    and the program (its log holds what the portal logged)."""
    port = free_port(HOST)
    environment = {**os.environ, **settings, "PORTAL_HOST": HOST, "PORTAL_PORT": str(port)}
    with running_program("python -m portal", PORTAL_COMMAND, port, log, environment) as program:
        yield f"http://{HOST}:{port}", program


class RoundRobin:
    """A WSGI proxy like a load balancer's: each request goes to the next backend in turn."""

    def __init__(self, backends: Iterable[str]) -> None:
        self._backends = itertools.cycle(backends)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        with self._lock:
            backend = next(self._backends)
        query = environ.get("QUERY_STRING", "")
        answer = requests.request(
            request.method,
            backend + quote(request.path) + (f"?{query}" if query else ""),
            headers=dict(_passed_on(request.headers.items())),
            data=request.get_data(),
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        # The raw headers keep each Set-Cookie apart (requests joins them with commas).
        headers = _passed_on(answer.raw.headers.items())
        return Response(answer.content, answer.status_code, headers)(environ, start_response)


def _passed_on(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The end-to-end headers, which a proxy passes on."""
    return [(name, value) for name, value in headers if name.lower() not in NOT_PASSED_ON]


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in parallel, released together; their results in order."""
    start = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(released, calls))
