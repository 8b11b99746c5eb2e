"""Real servers for tests: any WSGI app on a free local port, in a background thread."""

import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

POLL_SECONDS = 0.05  # how soon shutdown() is noticed


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _closing(wsgi_app: Any) -> Any:
    """`wsgi_app` whose responses close themselves when iterated to the end or abandoned."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = wsgi_app(environ, start_response)

        # werkzeug's server skips close() when reading the rest of a connection the browser
        # reset fails (serving.py, `execute`): a static file stayed open for the collector.
        def chunks() -> Iterator[bytes]:
            """The response's chunks, then its close()."""
            try:
                yield from response
            finally:
                if hasattr(response, "close"):
                    response.close()

        return chunks()

    return app


@contextmanager
def running_server(wsgi_app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `wsgi_app` (threaded) while the block runs; yields its base URL."""
    server = make_server(host, port, _closing(wsgi_app), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": POLL_SECONDS},
        name=f"test-server:{server.port}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://{host}:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
