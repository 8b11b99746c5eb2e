"""Receipts and slips: printed when the printer can, else shown on screen (and mailed)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import get_locale

from kiosk.branch import Branch
from kiosk.devices import Devices
from kiosk.hardware.base import CANNOT_PRINT, PrinterStatus, Receipt

log = logging.getLogger(__name__)


def make_receipt(
    config: dict[str, Any],
    branch: Branch | None,
    printed_at: datetime,
    title: str,
    lines: list[tuple[str, Decimal | None]],
    **extra: Any,
) -> Receipt:
    """A receipt or slip headed with this kiosk's library and its branch's name and address
    (`branch`, as the portal said; KIOSK_BRANCH_NAME before it did), printed at `printed_at`,
    in the patron's language (amounts and dates too)."""
    heading = branch if branch is not None else Branch(config["KIOSK_BRANCH_NAME"])
    return Receipt(
        library=config["KIOSK_LIBRARY_NAME"],
        branch=heading.name,
        address=heading.address,
        title=title,
        printed_at=printed_at,
        lines=lines,
        locale=str(get_locale() or config["BABEL_DEFAULT_LOCALE"]),
        **extra,
    )


def print_receipt(devices: Devices, receipt: Receipt) -> bool:
    """Print it; False when the printer cannot (kept on `devices` until a print works again)."""
    try:
        status = devices.printer.status()
        if status in CANNOT_PRINT:
            devices.print_failure = status
            return False
        devices.printer.print_receipt(receipt)
    except Exception as error:  # noqa: BLE001 - escpos raises many kinds on USB/network faults
        log.warning("printer failed: %s", error)
        devices.print_failure = PrinterStatus.OFFLINE
        return False
    devices.print_failure = None
    return True
