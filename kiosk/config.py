"""Kiosk configuration: embedded defaults, then KIOSK_* environment variables, then overrides."""

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.paths import PROJECT_ROOT

EMBEDDED = "embedded"
PRODUCTION = "production"
FLAG_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_LENGTH = 32  # shorter: an empty or damaged key file, made anew
LANGUAGES = ("nl", "en")
ORIENTATIONS = ("auto", "portrait", "landscape")
FLOWS = ("pay", "collect", "lost", "guest")  # what a branch may offer, in the start screen's order
LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def _flag(value: str) -> bool:
    """An on/off environment variable: 1, true, yes or on mean on."""
    return value.strip().lower() in FLAG_WORDS


def _word(value: str) -> str:
    """One word, blanks and case ignored (a value from an env file may end in a space)."""
    return value.strip().lower()


def _words(value: str) -> tuple[str, ...]:
    """A comma-separated list, blanks and case ignored."""
    return tuple(word.strip().lower() for word in value.split(",") if word.strip())


ENV_SETTINGS: dict[str, Callable[[str], Any]] = {
    "KIOSK_PORTAL_URL": str,
    "KIOSK_DEVICE_TOKEN": str,
    "KIOSK_DEVICE_TOKEN_FILE": str,
    "KIOSK_PORTAL_TIMEOUT": float,
    "KIOSK_IDLE_SECONDS": int,
    "KIOSK_COUNTDOWN_SECONDS": int,
    "KIOSK_KEEPALIVE_SECONDS": int,
    "KIOSK_HEARTBEAT_SECONDS": int,
    "KIOSK_ERROR_RETURN_SECONDS": int,
    "KIOSK_DOCUMENT_TIMEOUT": float,
    "KIOSK_BLANK_CARD_TIMEOUT": float,
    "KIOSK_TERMINAL_SECONDS": float,
    "KIOSK_CARD_READER_NAME": str,
    "KIOSK_DOCUMENT_READER_NAME": str,
    "KIOSK_LIBRARY_NAME": str,
    "KIOSK_BRANCH_NAME": str,
    "KIOSK_LOGO": str,
    "KIOSK_DEFAULT_LANGUAGE": _word,
    "KIOSK_ORIENTATION": _word,
    "KIOSK_FLOWS": _words,
    "KIOSK_SECRET_KEY": str,
    "KIOSK_SECRET_KEY_FILE": str,
    "KIOSK_SANDBOX_URL": str,
    "KIOSK_DEV_PANEL": _flag,
    "KIOSK_ALLOW_REMOTE": _flag,
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
    key = config.pop("KIOSK_SECRET_KEY", None)
    config["SECRET_KEY"] = _kept_secret(config) if key is None else key
    config["BABEL_DEFAULT_LOCALE"] = config["KIOSK_DEFAULT_LANGUAGE"]
    _validate(config)
    _validate_branch(config)
    return config


def _defaults(env: str) -> dict[str, Any]:
    """The embedded default: the local portal, simulated hardware, a one-minute idle time."""
    portal_port = os.environ.get("PORTAL_PORT", "5000")
    return {
        "OPENBALIE_ENV": env,
        "KIOSK_PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "KIOSK_DEVICE_TOKEN": None,
        "KIOSK_DEVICE_TOKEN_FILE": str(PROJECT_ROOT / "instance" / "kiosk-token"),
        "KIOSK_SECRET_KEY_FILE": str(PROJECT_ROOT / "instance" / "kiosk-secret"),
        "KIOSK_PORTAL_TIMEOUT": 10.0,
        "KIOSK_IDLE_SECONDS": 60,
        "KIOSK_COUNTDOWN_SECONDS": 10,
        "KIOSK_KEEPALIVE_SECONDS": 15,
        "KIOSK_HEARTBEAT_SECONDS": 60,
        "KIOSK_ERROR_RETURN_SECONDS": 8,  # an error page goes back to the start screen
        "KIOSK_DOCUMENT_TIMEOUT": 20.0,
        "KIOSK_BLANK_CARD_TIMEOUT": 45.0,
        "KIOSK_TERMINAL_SECONDS": 180.0,
        "KIOSK_CARD_READER_NAME": None,
        "KIOSK_DOCUMENT_READER_NAME": None,
        "KIOSK_LIBRARY_NAME": "Bibliotheek",
        "KIOSK_BRANCH_NAME": "",
        "KIOSK_LOGO": None,  # an image file shown instead of the library's name as text
        "KIOSK_DEFAULT_LANGUAGE": "nl",  # every session starts in it
        "KIOSK_ORIENTATION": "auto",  # auto: portrait or landscape as the screen is
        "KIOSK_FLOWS": FLOWS,
        "KIOSK_SECRET_KEY": None,
        "KIOSK_DEV_PANEL": None,  # None: only when embedded with every device simulated
        "KIOSK_ALLOW_REMOTE": False,
        "KIOSK_SANDBOX_URL": f"http://127.0.0.1:{os.environ.get('MOLLIE_SANDBOX_PORT', '5055')}/",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        # Cookies are not kept apart by port: never collide with the portal's `session`.
        "SESSION_COOKIE_NAME": "kiosk_form",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _token_from_file(config: dict[str, Any]) -> str | None:
    """The device token kept in a file (0600) by the installer, if the file exists."""
    path = Path(config["KIOSK_DEVICE_TOKEN_FILE"])
    return path.read_text().strip() or None if path.is_file() else None


def _kept_secret(config: dict[str, Any]) -> str:
    """A random key kept in a file (0600), so CSRF tokens of open pages survive a restart."""
    path = Path(config["KIOSK_SECRET_KEY_FILE"])
    kept = path.read_text().strip() if path.is_file() else ""
    if len(kept) >= MIN_SECRET_LENGTH:
        return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def _write_secret(path: Path, key: str) -> None:
    """Replace the key file at once: a crash leaves the old file or the whole new one."""
    # Unique per writer, created with its final mode: never readable by others, even briefly.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def dev_panel_wanted(config: dict[str, Any], all_simulated: bool) -> bool:
    """The control panel: when switched on, or by default embedded with only simulated devices."""
    if config["KIOSK_DEV_PANEL"] is not None:
        return bool(config["KIOSK_DEV_PANEL"])
    return config["OPENBALIE_ENV"] == EMBEDDED and all_simulated


def _validate(config: dict[str, Any]) -> None:
    """Refuse a kiosk without a device token or secret key, and simulated hardware in production."""
    if not config["SECRET_KEY"]:
        raise ConfigError("KIOSK_SECRET_KEY is empty: unset it to keep a random key in a file")
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


def _validate_branch(config: dict[str, Any]) -> None:
    """Refuse a branch's screen settings the kiosk cannot follow."""
    if config["KIOSK_DEFAULT_LANGUAGE"] not in LANGUAGES:
        raise ConfigError(f"KIOSK_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    if config["KIOSK_ORIENTATION"] not in ORIENTATIONS:
        raise ConfigError(f"KIOSK_ORIENTATION must be one of {', '.join(ORIENTATIONS)}")
    if not config["KIOSK_FLOWS"]:
        raise ConfigError(f"KIOSK_FLOWS is empty: choose one or more of {', '.join(FLOWS)}")
    unknown = [flow for flow in config["KIOSK_FLOWS"] if flow not in FLOWS]
    if unknown:
        raise ConfigError(f"KIOSK_FLOWS: choose from {', '.join(FLOWS)} (not {', '.join(unknown)})")
    logo = config["KIOSK_LOGO"]
    if logo and (Path(logo).suffix.lower() not in LOGO_TYPES or not Path(logo).is_file()):
        raise ConfigError(f"KIOSK_LOGO {logo!r}: not a {', '.join(LOGO_TYPES)} file")
