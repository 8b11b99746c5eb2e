"""Serve the portal: `python -m portal` (on PORTAL_HOST, default 127.0.0.1, and PORTAL_PORT,
default 5000)."""

import os

from waitress import serve

from portal import create_app
from portal.config import SERVER_THREADS, log_to_stderr


def main() -> None:
    """Configure logging, build the portal and serve it with waitress."""
    log_to_stderr()
    host = os.environ.get("PORTAL_HOST", "127.0.0.1")
    port = os.environ.get("PORTAL_PORT", "5000")
    serve(create_app(), listen=f"{host}:{port}", threads=SERVER_THREADS)


if __name__ == "__main__":
    main()
