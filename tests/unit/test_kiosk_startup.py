"""Starting kiosk code: the hardware CLI needs no Flask."""

import subprocess
import sys

WEB_PACKAGES = ("flask", "flask_babel", "flask_wtf", "werkzeug")


def test_the_hardware_cli_imports_no_web_framework() -> None:
    listing = "import sys, kiosk.hardware.__main__; print(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "kiosk.hardware.__main__" in loaded
    assert [name for name in loaded if name.split(".")[0] in WEB_PACKAGES] == []
