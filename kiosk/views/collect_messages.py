"""What the collect and lost screens say for each problem and progress step (refusals: the
register's messages, through kiosk.refusals)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ENCODE_STATUS: dict[str, LazyString] = {
    "waiting": _l("Take a blank card from the tray and hold it on the reader."),
    "writing": _l("We are writing your card. Keep the card on the reader."),
    "hold_still": _l("The card moved. Hold the card still: we try again."),
    "in_use": _l("This card is already in use. Take another blank card."),
    "set_aside": _l("This card does not work. Hand it to the desk and take another blank card."),
    "activating": _l("Almost done: we are linking the card to you."),
}
ID_PROBLEMS: dict[str, LazyString] = {
    "access_denied": _l("The details do not open your document. Check them and try again."),
    "document_removed": _l("We could not read your document. Lay it flat on the reader."),
}
