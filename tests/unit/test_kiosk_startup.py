"""Starting kiosk code: building the app has no side effects; the hardware CLI needs no Flask."""

import logging
import subprocess
import sys
import threading

import pytest

from kiosk.app import create_app
from tests.support.kiosk import kiosk_config, simulated_devices

WEB_PACKAGES = ("flask", "flask_babel", "flask_wtf", "werkzeug")


def test_building_the_kiosk_starts_no_thread_and_leaves_logging_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    # logging.basicConfig changes only a root logger without handlers (pytest gives it some).
    monkeypatch.setattr(root, "handlers", [])
    level, before = root.level, set(threading.enumerate())
    create_app(kiosk_config("http://127.0.0.1:9", "token"), devices=simulated_devices())
    assert set(threading.enumerate()) - before == set()
    assert (root.handlers, root.level) == ([], level)


def test_the_hardware_cli_imports_no_web_framework() -> None:
    listing = "import sys, kiosk.hardware.__main__; print(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "kiosk.hardware.__main__" in loaded
    assert [name for name in loaded if name.split(".")[0] in WEB_PACKAGES] == []
