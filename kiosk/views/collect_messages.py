"""What the collect and lost screens say for each refusal, problem and progress step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import LazyString, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

IDENTIFY_REFUSALS: dict[str, LazyString] = {
    "code_invalid": _l("We do not recognise this code. Scan the QR code from your welcome e-mail."),
    "code_expired": _l("This code has expired. Log in with your number and password instead."),
    "code_used": _l(
        "You already collected a card with this code. Log in with your number and password."
    ),
    "wrong_login": _l("This number or password is wrong. Check them and try again."),
    "account_unconfirmed": _l(
        "Confirm your e-mail address first, with the link in the e-mail we sent you."
    ),
    "account_blocked": _l("Your account is blocked. Please go to the desk."),
    "proof_required": _l("Log in with your number and password for this."),
}
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


def identify_refusal(code: str, details: dict[str, Any]) -> str:
    """The message for a refused identification."""
    if code == "throttled" and details.get("until"):
        until = format_time(datetime.fromisoformat(details["until"]), "short")
        return _("Too many wrong tries. Try again after %(time)s.", time=until)
    if code == "throttled":
        return _("Too many wrong tries. Try again later.")
    return str(IDENTIFY_REFUSALS.get(code, _l("That did not work. Please go to the desk.")))
