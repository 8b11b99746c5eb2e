"""Kiosk configuration: embedded defaults, then KIOSK_* environment variables, then overrides."""

import os
import secrets
from pathlib import Path
from typing import Any

from shared.paths import PROJECT_ROOT

EMBEDDED = "embedded"
PRODUCTION = "production"
ENV_SETTINGS = {
    "KIOSK_PORTAL_URL": str,
    "KIOSK_DEVICE_TOKEN": str,
    "KIOSK_DEVICE_TOKEN_FILE": str,
    "KIOSK_PORTAL_TIMEOUT": float,
    "KIOSK_IDLE_SECONDS": int,
    "KIOSK_COUNTDOWN_SECONDS": int,
    "KIOSK_HEARTBEAT_SECONDS": int,
    "KIOSK_DOCUMENT_TIMEOUT": float,
    "KIOSK_BLANK_CARD_TIMEOUT": float,
    "KIOSK_CARD_READER_NAME": str,
    "KIOSK_DOCUMENT_READER_NAME": str,
    "KIOSK_LIBRARY_NAME": str,
    "KIOSK_BRANCH_NAME": str,
    "KIOSK_SECRET_KEY": str,
    "KIOSK_SANDBOX_URL": str,
}


class ConfigError(RuntimeError):
    """A setting that keeps the kiosk from starting safely."""


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment variables, then the caller's overrides; validated."""
    env = os.environ.get("OPENBALIE_ENV", EMBEDDED)
    config = _defaults(env)
    for name, kind in ENV_SETTINGS.items():
        if os.environ.get(name):
            config[name] = kind(os.environ[name])
    config.update(overrides or {})
    config["KIOSK_DEVICE_TOKEN"] = config["KIOSK_DEVICE_TOKEN"] or _token_from_file(config)
    config["SECRET_KEY"] = config.pop("KIOSK_SECRET_KEY", None) or secrets.token_urlsafe(32)
    _validate(config)
    return config


def _defaults(env: str) -> dict[str, Any]:
    """The embedded default: the local portal, simulated hardware, a one-minute idle time."""
    portal_port = os.environ.get("PORTAL_PORT", "5000")
    return {
        "OPENBALIE_ENV": env,
        "KIOSK_PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "KIOSK_DEVICE_TOKEN": None,
        "KIOSK_DEVICE_TOKEN_FILE": str(PROJECT_ROOT / "instance" / "kiosk-token"),
        "KIOSK_PORTAL_TIMEOUT": 10.0,
        "KIOSK_IDLE_SECONDS": 60,
        "KIOSK_COUNTDOWN_SECONDS": 10,
        "KIOSK_HEARTBEAT_SECONDS": 60,
        "KIOSK_DOCUMENT_TIMEOUT": 20.0,
        "KIOSK_BLANK_CARD_TIMEOUT": 45.0,
        "KIOSK_CARD_READER_NAME": None,
        "KIOSK_DOCUMENT_READER_NAME": None,
        "KIOSK_LIBRARY_NAME": "Bibliotheek",
        "KIOSK_BRANCH_NAME": "",
        "KIOSK_SECRET_KEY": None,
        "KIOSK_DEV_PANEL": env == EMBEDDED,
        "KIOSK_SANDBOX_URL": f"http://127.0.0.1:{os.environ.get('MOLLIE_SANDBOX_PORT', '5055')}/",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _token_from_file(config: dict[str, Any]) -> str | None:
    """The device token kept in a file (0600) by the installer, if the file exists."""
    path = Path(config["KIOSK_DEVICE_TOKEN_FILE"])
    return path.read_text().strip() or None if path.is_file() else None


def _validate(config: dict[str, Any]) -> None:
    """Refuse a kiosk without a device token, and simulated hardware in production."""
    if not config["KIOSK_DEVICE_TOKEN"]:
        raise ConfigError(
            "KIOSK_DEVICE_TOKEN is not set: register the kiosk with "
            "`flask --app portal kiosk add-device NAME --branch CODE` and set its token"
        )
    if config["OPENBALIE_ENV"] == PRODUCTION:
        config["KIOSK_DEV_PANEL"] = False
        simulated = [
            name
            for name in ("KIOSK_READER", "KIOSK_PRINTER", "KIOSK_SCANNER", "KIOSK_DOCUMENT_READER")
            if os.environ.get(name, "simulated") == "simulated"
        ]
        if simulated:
            raise ConfigError(
                f"production kiosk with simulated hardware: set {', '.join(simulated)}"
            )
