"""Portal configuration: safe embedded defaults, then environment variables, then overrides."""

import logging
import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from shared.guests.directory import HomeLibraries, HomeLibrariesError, load_home_libraries
from shared.oidc.keys import KEY_DIR
from shared.paths import PROJECT_ROOT

SANDBOX_KEY = "test_openbalie_sandbox"
EMBEDDED = "embedded"
PRODUCTION = "production"
MEMORY_STORAGE = "memory://"
# Waitress threads of `python -m portal`. A thread holds up to two connections: its request's
# session, and briefly the catalogue version's read on a connection of its own.
SERVER_THREADS = 8
ENV_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_POOL_TIMEOUT",
    "DATABASE_POOL_RECYCLE",
    "PUBLIC_URL",
    "MOLLIE_API_KEY",
    "MOLLIE_API_ENDPOINT",
    "MOLLIE_TIMEOUT",
    "MAIL_URL",
    "MAIL_FROM",
    "MAIL_DIR",
    "RATELIMIT_STORAGE_URI",
    "PORTAL_SINGLE_PROCESS",
    "LOGIN_RATE_LIMIT",
    "TRUSTED_PROXIES",
    "OIDC_KEY_DIR",
    "AUDIT_RETENTION_DAYS",
    "BOOKKEEPING_RETENTION_YEARS",
    "STAFF_IDLE_MINUTES",
    "STAFF_SESSION_HOURS",
    "RENEWAL_NOTICE_DAYS",
    "RENEWAL_GRACE_DAYS",
    "RENEWAL_REMINDER_DAYS",
    "DESK_WAIVE_LIMIT",
    "HOME_LIBRARIES_FILE",
)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def log_to_stderr() -> None:
    """What serves the portal or runs its workers logs INFO and up (the factory does not)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


class ConfigError(RuntimeError):
    """A setting that makes the portal unsafe or unable to start."""


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment variables, then the caller's overrides; validated."""
    env = os.environ.get("OPENBALIE_ENV", EMBEDDED)
    config = _defaults(instance_path, env)
    config.update({name: os.environ[name] for name in ENV_SETTINGS if os.environ.get(name)})
    config.update(overrides or {})
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(config)
    config["MOLLIE_ENDPOINT"] = _mollie_endpoint(config)
    config["AUDIT_RETENTION_DAYS"] = _whole_number(config, "AUDIT_RETENTION_DAYS", minimum=1)
    config["BOOKKEEPING_RETENTION_YEARS"] = _whole_number(
        config, "BOOKKEEPING_RETENTION_YEARS", minimum=1
    )
    for limit in ("STAFF_IDLE_MINUTES", "STAFF_SESSION_HOURS", "RENEWAL_NOTICE_DAYS"):
        config[limit] = _whole_number(config, limit, minimum=1)
    for limit in ("RENEWAL_GRACE_DAYS", "RENEWAL_REMINDER_DAYS"):
        config[limit] = _whole_number(config, limit, minimum=0)
    config["DESK_WAIVE_LIMIT"] = _amount(config, "DESK_WAIVE_LIMIT")
    config["HOME_LIBRARIES"] = _home_libraries(config)
    _validate(config, instance_path)
    return config


def _home_libraries(config: dict[str, Any]) -> HomeLibraries:
    """The home libraries of HOME_LIBRARIES_FILE, read once at start (a wrong file stops it)."""
    named = config.get("HOME_LIBRARIES_FILE")
    try:
        return load_home_libraries(Path(named) if named else None)
    except HomeLibrariesError as error:
        raise ConfigError(f"HOME_LIBRARIES_FILE: {error}") from error


def _defaults(instance_path: Path, env: str) -> dict[str, Any]:
    """Settings of the embedded default: local database, sandbox payments, mails on disk."""
    port = os.environ.get("PORTAL_PORT", "5000")
    sandbox_port = os.environ.get("MOLLIE_SANDBOX_PORT", "5055")
    return {
        "OPENBALIE_ENV": env,
        "SECRET_KEY": None,
        "DATABASE_URL": f"sqlite:///{instance_path / 'openbalie.sqlite3'}",
        "DATABASE_POOL_SIZE": str(SERVER_THREADS),
        "DATABASE_MAX_OVERFLOW": str(SERVER_THREADS),
        "DATABASE_POOL_TIMEOUT": "30",
        "DATABASE_POOL_RECYCLE": "1800",
        # Production must say where it is reachable (mail links, webhooks, the OIDC issuer).
        "PUBLIC_URL": f"http://127.0.0.1:{port}" if env == EMBEDDED else None,
        "MOLLIE_API_KEY": None,
        "MOLLIE_API_ENDPOINT": None,
        "MOLLIE_TIMEOUT": "10",
        "MOLLIE_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "MAIL_URL": None,
        "MAIL_FROM": "OpenBalie <noreply@openbalie.invalid>",
        "MAIL_DIR": str(instance_path / "mail") if env == EMBEDDED else None,
        "CATALOGUE_FILE": str(PROJECT_ROOT / "shared/catalogue/data/biblionet-drenthe.toml"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == PRODUCTION,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": MEMORY_STORAGE,
        # Should the shared store go down, count per process rather than fail every login.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "PORTAL_SINGLE_PROCESS": "",
        "LOGIN_RATE_LIMIT": "20 per minute;200 per hour",
        "TRUSTED_PROXIES": "0",
        "OIDC_KEY_DIR": str(instance_path / KEY_DIR),
        # Two years: a patron's question or complaint about the desk reaches back over a yearly
        # subscription and its renewal; longer would keep staff's looks at patrons without need
        # (the AVG's storage limitation).
        "AUDIT_RETENTION_DAYS": "730",
        # Dutch fiscal law (AWR art. 52) keeps the books seven years: an erased patron's
        # payments stay that long after the year they last changed in, without the patron.
        "BOOKKEEPING_RETENTION_YEARS": "7",
        # A staff session ends after this long without a staff page, and this long after login.
        "STAFF_IDLE_MINUTES": "30",
        "STAFF_SESSION_HOURS": "10",
        # A once-paid subscription's renewal: the mail this many days before the end, valid
        # (invoiced) this many days after it, a reminder this many days before those end.
        "RENEWAL_NOTICE_DAYS": "30",
        "RENEWAL_GRACE_DAYS": "30",
        "RENEWAL_REMINDER_DAYS": "7",
        # What a desk member may waive of one charge (kwijtschelden); more is a coordinator's.
        # A late fee or a reservation is waived at the desk, a subscription's period is not.
        "DESK_WAIVE_LIMIT": "25.00",
        # The guests' home libraries that can be asked, per ISIL (docs/guests.md); none: every
        # guest is registered unverified.
        "HOME_LIBRARIES_FILE": None,
    }


def _mollie_endpoint(config: dict[str, Any]) -> str | None:
    """The sandbox unless a real key without endpoint is configured (then Mollie itself)."""
    if config["MOLLIE_API_ENDPOINT"]:
        return str(config["MOLLIE_API_ENDPOINT"])
    if config["MOLLIE_API_KEY"]:
        return None
    config["MOLLIE_API_KEY"] = SANDBOX_KEY
    return str(config["MOLLIE_SANDBOX_URL"])


def _engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The connection pool of a database server: a connection per server thread, a few more for
    bursts, each tested before use and renewed before the server or a firewall drops it idle."""
    if make_url(config["DATABASE_URL"]).get_backend_name() == "sqlite":
        return {}
    return {
        "pool_size": _whole_number(config, "DATABASE_POOL_SIZE", minimum=1),
        "max_overflow": _whole_number(config, "DATABASE_MAX_OVERFLOW", minimum=0),
        "pool_timeout": _whole_number(config, "DATABASE_POOL_TIMEOUT", minimum=1),
        "pool_recycle": _whole_number(config, "DATABASE_POOL_RECYCLE", minimum=1),
        "pool_pre_ping": True,
    }


def _whole_number(config: dict[str, Any], name: str, minimum: int) -> int:
    """A setting that must be a whole number of at least `minimum`."""
    value = str(config[name]).strip()
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


def _amount(config: dict[str, Any], name: str) -> Decimal:
    """A setting that must be an amount of euros, at least zero, in at most whole cents."""
    value = str(config[name]).strip()
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ConfigError(f"{name} must be an amount in euros like 25.00, not {value!r}")
    return amount.quantize(Decimal("0.01"))


def _validate(config: dict[str, Any], instance_path: Path) -> None:
    """Refuse an unknown environment and an unsafe production; fill embedded secrets."""
    if config["OPENBALIE_ENV"] not in (EMBEDDED, PRODUCTION):
        raise ConfigError("OPENBALIE_ENV must be 'embedded' or 'production'")
    if config["OPENBALIE_ENV"] == EMBEDDED:
        config["SECRET_KEY"] = config["SECRET_KEY"] or _instance_secret(instance_path)
        return
    _validate_production(config)


def _validate_production(config: dict[str, Any]) -> None:
    """Refuse production without secrets, with the sandbox, or with counts kept per process."""
    missing = [name for name in ("SECRET_KEY", "MAIL_URL", "PUBLIC_URL") if not config[name]]
    if missing:
        raise ConfigError(f"production needs {', '.join(missing)}")
    if config["MOLLIE_ENDPOINT"] or config["MOLLIE_API_KEY"] == SANDBOX_KEY:
        raise ConfigError("production refuses the Mollie sandbox: set MOLLIE_API_KEY only")
    single = str(config["PORTAL_SINGLE_PROCESS"]).strip().lower() in ("1", "true", "yes")
    if str(config["RATELIMIT_STORAGE_URI"]).startswith(MEMORY_STORAGE) and not single:
        raise ConfigError(
            "production refuses RATELIMIT_STORAGE_URI=memory://: each portal process would "
            "count login attempts on its own. Set it to a store all processes share "
            "(redis://host:6379), or set PORTAL_SINGLE_PROCESS=1 if only one process runs"
        )


def _instance_secret(instance_path: Path) -> str:
    """A random key kept in the instance folder, so embedded sessions survive restarts."""
    path = instance_path / "secret_key"
    if not path.exists():
        # Created with its final mode, so it is never readable by others, even for a moment.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
