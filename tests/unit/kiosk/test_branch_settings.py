"""A branch's screen settings from the environment: read, and refused when the kiosk cannot
follow them."""

from pathlib import Path

import pytest

from kiosk.config import FLOWS, ConfigError, load_config


def settings(tmp_path: Path) -> dict[str, str]:
    """The least a kiosk needs to start: a device token and a place for its secret key."""
    return {"KIOSK_DEVICE_TOKEN": "t", "KIOSK_SECRET_KEY_FILE": str(tmp_path / "kiosk-secret")}


def test_the_defaults_offer_every_flow_in_dutch(tmp_path: Path) -> None:
    config = load_config(settings(tmp_path))
    assert config["KIOSK_FLOWS"] == FLOWS
    assert config["BABEL_DEFAULT_LOCALE"] == config["KIOSK_DEFAULT_LANGUAGE"] == "nl"
    assert config["KIOSK_ORIENTATION"] == "auto" and config["KIOSK_LOGO"] is None


def test_a_branch_sets_them_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "logo.jpeg"
    logo.write_bytes(b"\xff\xd8\xff")
    monkeypatch.setenv("KIOSK_FLOWS", " Pay, lost ,")
    monkeypatch.setenv("KIOSK_DEFAULT_LANGUAGE", "EN ")  # as an env file may have it
    monkeypatch.setenv("KIOSK_ORIENTATION", " Portrait")
    monkeypatch.setenv("KIOSK_LOGO", str(logo))
    config = load_config(settings(tmp_path))
    assert config["KIOSK_FLOWS"] == ("pay", "lost")
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert (config["KIOSK_ORIENTATION"], config["KIOSK_LOGO"]) == ("portrait", str(logo))


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("KIOSK_DEFAULT_LANGUAGE", "de", "KIOSK_DEFAULT_LANGUAGE"),
        ("KIOSK_ORIENTATION", "sideways", "KIOSK_ORIENTATION"),
        ("KIOSK_FLOWS", "pay,borrow", "borrow"),
        ("KIOSK_FLOWS", ",", "KIOSK_FLOWS is empty"),
        ("KIOSK_LOGO", "/nowhere/logo.png", "KIOSK_LOGO"),
        ("KIOSK_LOGO", "/etc/passwd", "KIOSK_LOGO"),
    ],
)
def test_a_setting_the_kiosk_cannot_follow_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=said):
        load_config(settings(tmp_path))
