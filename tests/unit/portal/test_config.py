"""Portal configuration: production refuses half a configuration and counts kept per process;
embedded secrets stay hidden."""

import stat
from pathlib import Path

import pytest

from portal.config import ConfigError, load_config

PRODUCTION_ENV = ("SECRET_KEY", "MAIL_URL", "PUBLIC_URL", "MOLLIE_API_KEY", "MOLLIE_API_ENDPOINT")
PRODUCTION = {
    "OPENBALIE_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "MAIL_URL": "smtp://mail.example.nl:25",
    "PUBLIC_URL": "https://mijn.bibliotheek.example",
    "MOLLIE_API_KEY": "live_abc",
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379",
}
SHARED_STATE_ENV = ("RATELIMIT_STORAGE_URI", "PORTAL_SINGLE_PROCESS", "MOLLIE_API_ENDPOINT")


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete production environment."""
    for name in SHARED_STATE_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)


def test_production_names_every_missing_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY, MAIL_URL, PUBLIC_URL"):
        load_config(tmp_path)


@pytest.mark.usefixtures("production")
def test_production_starts_when_configured(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config["PUBLIC_URL"] == "https://mijn.bibliotheek.example"
    assert config["SESSION_COOKIE_SECURE"] is True and config["MOLLIE_ENDPOINT"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379"


@pytest.mark.usefixtures("production")
def test_production_refuses_rate_limits_counted_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    with pytest.raises(ConfigError, match=r"memory://.*redis://.*PORTAL_SINGLE_PROCESS=1"):
        load_config(tmp_path)
    monkeypatch.setenv("PORTAL_SINGLE_PROCESS", "0")
    with pytest.raises(ConfigError, match="PORTAL_SINGLE_PROCESS=1"):
        load_config(tmp_path, {"RATELIMIT_STORAGE_URI": "memory://"})


@pytest.mark.usefixtures("production")
def test_one_production_process_may_count_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    monkeypatch.setenv("PORTAL_SINGLE_PROCESS", "1")
    assert load_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_embedded_counts_in_memory_and_keeps_keys_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (*SHARED_STATE_ENV, "OIDC_KEY_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "embedded")
    config = load_config(tmp_path)
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["OIDC_KEY_DIR"] == str(tmp_path / "oidc-keys")
    monkeypatch.setenv("OIDC_KEY_DIR", "/srv/shared/oidc-keys")
    assert load_config(tmp_path)["OIDC_KEY_DIR"] == "/srv/shared/oidc-keys"


def test_the_embedded_secret_is_made_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "embedded")
    first = load_config(tmp_path)["SECRET_KEY"]
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_config(tmp_path)["SECRET_KEY"] == first


POSTGRES_URL = "postgresql+psycopg://openbalie@db.example/openbalie"
POOL_ENV = (
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_POOL_TIMEOUT",
    "DATABASE_POOL_RECYCLE",
)


@pytest.fixture
def pool_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No pool settings in the environment unless the test sets them."""
    for name in POOL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "embedded")
    return monkeypatch


def test_a_database_server_gets_a_connection_per_portal_thread_and_as_many_in_a_burst(
    tmp_path: Path, pool_env: pytest.MonkeyPatch
) -> None:
    pool_env.setenv("DATABASE_URL", POSTGRES_URL)
    assert load_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_size": 8,
        "max_overflow": 8,
        "pool_timeout": 30,
        "pool_recycle": 1800,
        "pool_pre_ping": True,
    }


def test_the_pool_is_sized_from_the_environment(
    tmp_path: Path, pool_env: pytest.MonkeyPatch
) -> None:
    settings = {
        "DATABASE_URL": POSTGRES_URL,
        "DATABASE_POOL_SIZE": "16",
        "DATABASE_MAX_OVERFLOW": "0",
        "DATABASE_POOL_TIMEOUT": "5",
        "DATABASE_POOL_RECYCLE": "300",
    }
    for name, value in settings.items():
        pool_env.setenv(name, value)
    options = load_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"]) == (16, 0)
    assert (options["pool_timeout"], options["pool_recycle"]) == (5, 300)


def test_sqlite_keeps_sqlalchemy_s_own_pool(tmp_path: Path, pool_env: pytest.MonkeyPatch) -> None:
    pool_env.setenv("DATABASE_POOL_SIZE", "16")
    config = load_config(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"})
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_POOL_SIZE", "0"),
        ("DATABASE_POOL_SIZE", "eight"),
        ("DATABASE_MAX_OVERFLOW", "-1"),
        ("DATABASE_POOL_TIMEOUT", "2.5"),
        ("DATABASE_POOL_RECYCLE", "٣"),
    ],
)
def test_a_pool_setting_that_is_no_whole_number_stops_the_portal(
    tmp_path: Path, pool_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    pool_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path, {"DATABASE_URL": POSTGRES_URL})


def test_audit_retention_is_two_years_unless_set_to_whole_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIT_RETENTION_DAYS", raising=False)
    assert load_config(tmp_path)["AUDIT_RETENTION_DAYS"] == 730
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "365")
    assert load_config(tmp_path)["AUDIT_RETENTION_DAYS"] == 365
    for wrong in ("0", "two years", "-5"):
        monkeypatch.setenv("AUDIT_RETENTION_DAYS", wrong)
        with pytest.raises(ConfigError, match="AUDIT_RETENTION_DAYS"):
            load_config(tmp_path)


@pytest.mark.parametrize(
    ("setting", "value"), [("STAFF_IDLE_MINUTES", "0"), ("STAFF_SESSION_HOURS", "tien")]
)
def test_the_staff_session_limits_are_whole_numbers(
    tmp_path: Path, setting: str, value: str
) -> None:
    assert load_config(tmp_path)["STAFF_IDLE_MINUTES"] == 30
    assert load_config(tmp_path)["STAFF_SESSION_HOURS"] == 10
    with pytest.raises(ConfigError, match=setting):
        load_config(tmp_path, {setting: value})


def test_a_wrong_home_libraries_file_stops_the_portal_naming_it(tmp_path: Path) -> None:
    homes = tmp_path / "home-libraries.toml"
    homes.write_text('[[home_library]]\nisil = "NL-087041"\nhost = "sip2.example.nl"\n', "utf-8")
    with pytest.raises(ConfigError, match="HOME_LIBRARIES_FILE: .*NL-087041: port is missing"):
        load_config(tmp_path, {"HOME_LIBRARIES_FILE": str(homes)})
    assert load_config(tmp_path)["HOME_LIBRARIES"].for_isil("NL-087041") is None
