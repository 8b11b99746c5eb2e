"""Serve the Mollie sandbox with waitress: `python -m shared.mollie_sandbox`."""

import logging
import os

from waitress import create_server

from shared.mollie_sandbox import create_sandbox_app

log = logging.getLogger("shared.mollie_sandbox")
HOST = "127.0.0.1"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> None:
    """Serve on MOLLIE_SANDBOX_PORT (5055), keeping state in MOLLIE_SANDBOX_STATE if set."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    state_file = os.environ.get("MOLLIE_SANDBOX_STATE") or None
    app = create_sandbox_app({"STATE_FILE": state_file})
    server = create_server(app, host=HOST, port=int(os.environ.get("MOLLIE_SANDBOX_PORT", "5055")))
    log.info(
        "Mollie sandbox on http://%s:%s (api endpoint), state %s",
        HOST,
        server.effective_port,
        state_file or "in memory only",
    )
    server.run()


if __name__ == "__main__":
    main()
