"""The slip for a newly collected card: printed, or shown on screen when the printer cannot."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from kiosk.branch import Branch
from kiosk.hardware.base import Receipt
from kiosk.receipts import make_receipt
from shared.timeutil import NO_END


def new_card_slip(
    config: dict[str, Any],
    branch: Branch | None,
    patron: dict[str, Any],
    replaced: str,
    printed_at: datetime,
) -> Receipt:
    """Name, the new card number (also as barcode), the number it replaces (the temporary one,
    or a lost card's), valid through; each line fits the printer's 42 columns."""
    number = patron["number"]
    lines: list[tuple[str, Decimal | None]] = [
        (patron["display_name"], None),
        (_("Your new card number: %(number)s", number=number), None),
        (_("Replaces number %(number)s", number=replaced), None),
    ]
    if patron.get("valid_through"):
        valid = valid_through_text(patron["valid_through"])
        lines.append((_("Valid through %(date)s", date=valid), None))
    title = _("Your new library card")
    return make_receipt(config, branch, printed_at, title, lines, barcode=number)


def valid_through_text(iso_date: str) -> str:
    """A subscription's last day (as the portal sends it) written out, or "no end date"."""
    day = date.fromisoformat(iso_date)
    return _("no end date") if day == NO_END else format_date(day, "long")
