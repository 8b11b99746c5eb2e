"""The branch kiosk: a touch application for tapping a card, paying and collecting a card.

The application is built in `kiosk.app` and served by `python -m kiosk`. Importing this package
imports no Flask: the hardware command line (`python -m kiosk.hardware`) imports it first, and
starts without Flask.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """`kiosk.create_app` for its callers, imported from `kiosk.app` when first asked for."""
    if name == "create_app":
        from kiosk.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
