"""Serve the kiosk on this machine: `python -m kiosk` (port KIOSK_PORT, default 5001)."""

import logging
import os

from waitress import serve

from kiosk.app import create_app, start_background, stop_background

THREADS = 8  # a page's long poll of /events holds a thread while other requests come in


def main() -> None:
    """Configure logging, build the kiosk, start its card watcher and heartbeat, and serve it."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    start_background(app)
    try:
        serve(app, listen=f"127.0.0.1:{os.environ.get('KIOSK_PORT', '5001')}", threads=THREADS)
    finally:
        stop_background(app)


if __name__ == "__main__":
    main()
