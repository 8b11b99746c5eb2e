"""Building an app has no side effects (no thread, no logging set up); the kiosk's hardware CLI
needs no Flask."""

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from kiosk.app import create_app as create_kiosk
from portal import create_app as create_portal
from tests.support.kiosk import kiosk_config, simulated_devices

WEB_PACKAGES = ("flask", "flask_babel", "flask_wtf", "werkzeug")


def kiosk(_tmp: Path) -> Flask:
    """A kiosk with simulated devices."""
    return create_kiosk(kiosk_config("http://127.0.0.1:9", "token"), devices=simulated_devices())


def portal(tmp: Path) -> Flask:
    """A portal with its files in tmp."""
    return create_portal({"INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp}/a.db"})


@pytest.mark.parametrize("build", [kiosk, portal])
def test_building_an_app_starts_no_thread_and_leaves_logging_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, build: Callable[[Path], Flask]
) -> None:
    root = logging.getLogger()
    # logging.basicConfig changes only a root logger without handlers (pytest gives it some).
    monkeypatch.setattr(root, "handlers", [])
    level, before = root.level, set(threading.enumerate())
    build(tmp_path)
    assert set(threading.enumerate()) - before == set()
    assert (root.handlers, root.level) == ([], level)


def test_the_hardware_cli_imports_no_web_framework() -> None:
    listing = "import sys, kiosk.hardware.__main__; print(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "kiosk.hardware.__main__" in loaded
    assert [name for name in loaded if name.split(".")[0] in WEB_PACKAGES] == []
