"""The tests' own WSGI server: a browser leaving a page mid-download leaks nothing."""

import gc
import socket
import struct
import time
import warnings
from pathlib import Path

from flask import Flask

from tests.support.servers import running_server

RESETS = 200
RESET_NOW = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
STATIC = Path(__file__).parents[2] / "static"


def _reset_after_asking(port: int, path: str, pause: float) -> None:
    """Ask for `path` and drop the connection with a reset, as a browser that moved on."""
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        time.sleep(pause)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_NOW)


def test_a_static_file_is_closed_when_the_browser_resets_the_connection() -> None:
    # werkzeug's server skips the response's close() when reading the rest of a reset
    # connection fails; the file was left for the garbage collector (a ResourceWarning that
    # failed whichever browser test was running then).
    app = Flask(__name__, static_folder=str(STATIC))
    with warnings.catch_warnings(record=True) as caught, running_server(app) as url:
        warnings.simplefilter("always", ResourceWarning)
        port = int(url.rsplit(":", 1)[1])
        for attempt in range(RESETS):
            _reset_after_asking(port, "/static/js/keyboard.js", 0.001 * (attempt % 10))
        time.sleep(0.5)
        gc.collect()
    assert [str(warning.message) for warning in caught] == []
