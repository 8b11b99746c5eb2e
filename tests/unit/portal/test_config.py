"""Portal configuration: production refuses half a configuration; embedded secrets stay hidden."""

import stat
from pathlib import Path

import pytest

from portal.config import ConfigError, load_config

PRODUCTION_ENV = ("SECRET_KEY", "MAIL_URL", "PUBLIC_URL", "MOLLIE_API_KEY", "MOLLIE_API_ENDPOINT")


def test_production_names_every_missing_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY, MAIL_URL, PUBLIC_URL"):
        load_config(tmp_path)


def test_production_starts_when_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {
        "OPENBALIE_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "MAIL_URL": "smtp://mail.example.nl:25",
        "PUBLIC_URL": "https://mijn.bibliotheek.example",
        "MOLLIE_API_KEY": "live_abc",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MOLLIE_API_ENDPOINT", raising=False)
    config = load_config(tmp_path)
    assert config["PUBLIC_URL"] == "https://mijn.bibliotheek.example"
    assert config["SESSION_COOKIE_SECURE"] is True and config["MOLLIE_ENDPOINT"] is None


def test_the_embedded_secret_is_made_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("OPENBALIE_ENV", "embedded")
    first = load_config(tmp_path)["SECRET_KEY"]
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_config(tmp_path)["SECRET_KEY"] == first
