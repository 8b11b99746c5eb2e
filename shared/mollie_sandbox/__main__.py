"""Serve the Mollie sandbox with waitress: `python -m shared.mollie_sandbox`."""

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask
from waitress.server import BaseWSGIServer, create_server

from shared.mollie_sandbox.app import create_sandbox_app
from shared.mollie_sandbox.webhooks import RetryPolicy

log = logging.getLogger("shared.mollie_sandbox")
HOST = "127.0.0.1"
DEFAULT_PORT = "5055"
PROFILE_ID = re.compile(r"^pfl_\w+$")
API_KEY = re.compile(r"^(live|test)_\w+$")  # what the Mollie client accepts as a key
SWITCH = {"on": True, "off": False}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> None:
    """Serve on MOLLIE_SANDBOX_PORT with the MOLLIE_SANDBOX_* settings; exit 1 on a bad one."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    app = _configured_app()
    server = _listening(app, os.environ.get("MOLLIE_SANDBOX_PORT") or DEFAULT_PORT)
    log.info(
        "Mollie sandbox on http://%s:%s (api endpoint), state %s",
        HOST,
        server.effective_port,  # type: ignore[attr-defined]  # types-waitress lacks it
        app.config["STATE_FILE"] or "in memory only",
    )
    server.run()


def _configured_app() -> Flask:
    """The sandbox app with the settings from the environment; exit with the reason if bad."""
    try:
        return create_sandbox_app(_settings(os.environ))
    except (ValueError, OSError) as error:  # OSError: a state file that cannot be read
        sys.exit(f"The Mollie sandbox did not start: {error}")


def _listening(app: Flask, raw_port: str) -> BaseWSGIServer:
    """A waitress server for `app` bound to the port; exit with the reason if it cannot bind."""
    try:
        port = _port(raw_port)
        server = create_server(app, host=HOST, port=port)
    except ValueError as error:
        sys.exit(f"The Mollie sandbox did not start: {error}")
    except OSError as error:
        sys.exit(f"The Mollie sandbox cannot listen on {HOST}:{raw_port}: {error.strerror}.")
    assert isinstance(server, BaseWSGIServer)  # one host and port make no MultiSocketServer
    return server


def _settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The app's config from the MOLLIE_SANDBOX_* variables; unset or empty ones keep defaults."""
    config = {
        "STATE_FILE": environ.get("MOLLIE_SANDBOX_STATE") or None,
        "PUBLIC_URL": _public_url(environ.get("MOLLIE_SANDBOX_PUBLIC_URL") or None),
        "PROFILE_ID": _profile_id(environ.get("MOLLIE_SANDBOX_PROFILE") or None),
        "TERMINALS": _terminals(environ.get("MOLLIE_SANDBOX_TERMINALS") or None),
        "API_KEYS": _keys(environ.get("MOLLIE_SANDBOX_KEYS") or None),
        "WEBHOOK_RETRIES": _retries(
            environ.get("MOLLIE_SANDBOX_WEBHOOK_RETRIES") or "on",
            environ.get("MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE") or "1",
        ),
    }
    return {name: value for name, value in config.items() if value is not None}


def _port(raw: str) -> int:
    """MOLLIE_SANDBOX_PORT as a port number."""
    if not raw.isdigit() or int(raw) > 65535:
        raise ValueError(f"MOLLIE_SANDBOX_PORT must be a port number (0 to 65535), not {raw!r}.")
    return int(raw)


def _public_url(raw: str | None) -> str | None:
    """MOLLIE_SANDBOX_PUBLIC_URL: the http(s) address clients reach the sandbox at."""
    if raw is not None and not raw.startswith(("http://", "https://")):
        raise ValueError(f"MOLLIE_SANDBOX_PUBLIC_URL must be an http(s) URL, not {raw!r}.")
    return raw


def _profile_id(raw: str | None) -> str | None:
    """MOLLIE_SANDBOX_PROFILE: a Mollie profile id, `pfl_` and letters or digits."""
    if raw is not None and not PROFILE_ID.match(raw):
        raise ValueError(f"MOLLIE_SANDBOX_PROFILE must look like 'pfl_abc123', not {raw!r}.")
    return raw


def _keys(raw: str | None) -> tuple[str, ...] | None:
    """MOLLIE_SANDBOX_KEYS: the API keys the sandbox accepts, comma-separated."""
    if raw is None:
        return None
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    if not keys or not all(API_KEY.match(key) for key in keys):
        raise ValueError(
            f"MOLLIE_SANDBOX_KEYS must be keys like 'test_abc123', comma-separated, not {raw!r}."
        )
    return keys


def _retries(switch: str, raw_scale: str) -> RetryPolicy:
    """MOLLIE_SANDBOX_WEBHOOK_RETRIES (on/off) and _RETRY_SCALE (a factor on Mollie's intervals)."""
    if switch not in SWITCH:
        raise ValueError(f"MOLLIE_SANDBOX_WEBHOOK_RETRIES must be 'on' or 'off', not {switch!r}.")
    try:
        scale = float(raw_scale)
    except ValueError:
        scale = -1.0
    if not scale > 0:
        raise ValueError(
            f"MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE must be a number above 0, not {raw_scale!r}."
        )
    return RetryPolicy(SWITCH[switch], scale)


def _terminals(raw: str | None) -> list[dict[str, Any]] | None:
    """MOLLIE_SANDBOX_TERMINALS: a JSON list of terminal objects (ids checked by the app)."""
    if raw is None:
        return None
    try:
        terminals = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"MOLLIE_SANDBOX_TERMINALS is not valid JSON: {error}.") from None
    if not isinstance(terminals, list) or not all(isinstance(t, dict) for t in terminals):
        raise ValueError(
            'MOLLIE_SANDBOX_TERMINALS must be a JSON list of objects like {"id": "term_desk1"}.'
        )
    return terminals


if __name__ == "__main__":
    main()
