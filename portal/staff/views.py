"""Staff pages: the kiosks with their health, and the ID checks and chargebacks for the desk to
follow up."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db, login_manager
from portal.staff import staff_session
from portal.wiring import now
from shared.kiosks.devices import KioskStatus, kiosk_status, list_devices
from shared.kiosks.id_checks import RECENT_DAYS, recent_checks
from shared.models.id_check import IdCheckOutcome
from shared.payments.chargebacks import RECENT_LIMIT, WINDOW, recent_chargebacks
from shared.payments.key_alarm import PROBE_EVERY, raised_alarm
from shared.payments.ledger import balances

bp = Blueprint("staff", __name__, url_prefix="/balie")

STATUS_WORDS = {
    KioskStatus.OK: _l("Working"),
    KioskStatus.DEGRADED: _l("Device problem"),
    KioskStatus.OFFLINE: _l("Offline"),
    KioskStatus.NEVER: _l("Never reported"),
    KioskStatus.REVOKED: _l("Revoked"),
}
DEVICE_WORDS = {
    "card_reader": _l("Card reader"),
    "document_reader": _l("Document reader"),
    "printer": _l("Printer"),
    "scanner": _l("Scanner"),
}
STATE_WORDS = {
    "ok": _l("OK"),
    "paper_low": _l("Paper low"),
    "paper_out": _l("Paper out"),
    "offline": _l("Offline"),
    "unavailable": _l("Unavailable"),
    "unknown": _l("Unknown"),
}
OUTCOME_WORDS = {
    IdCheckOutcome.VERIFIED: _l("Verified"),
    IdCheckOutcome.MISMATCH: _l("Does not match the record"),
    IdCheckOutcome.UNREADABLE: _l("Could not be read"),
    IdCheckOutcome.INTEGRITY: _l("Chip data not genuine"),
    IdCheckOutcome.EXPIRED: _l("Document expired"),
}
# ICAO 9303: the first letter of the MRZ's document code says what kind of document it is.
DOCUMENT_WORDS = {"P": _l("Passport"), "I": _l("Identity card")}


@bp.before_request
def staff_only() -> Response | None:
    """Every staff page: log in first; a login without the staff role is refused; a staff
    session within its limits, with its second factor and the member's own password."""
    if request.endpoint == staff_session.SECOND_STEP and not current_user.is_authenticated:
        return None  # half-way through a staff login: the page checks that itself
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return staff_session.check()


@bp.before_app_request
def staff_limits_everywhere() -> Response | None:
    """A staff session's idle and absolute limits hold on every page of the portal (Mijn
    account, single sign-on), not only the desk's."""
    # Only a staff session holds SEEN_AT: other requests never load the user for this.
    if request.blueprint == bp.name or staff_session.SEEN_AT not in session:
        return None
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    return staff_session.within_limits()


@bp.errorhandler(403)
def forbidden(_error: Exception) -> tuple[str, int]:
    """A logged-in patron asked for a staff page."""
    return render_template("portal/staff/forbidden.html"), 403


@bp.get("/zuilen")
def kiosks() -> str:
    """Every kiosk with its status and its devices' states, the recent ID checks, and the
    chargebacks of the last weeks with what each patron owes now."""
    moment = now()
    # One more than shown: whether there are more than are shown.
    chargebacks = recent_chargebacks(db.session(), moment - WINDOW, RECENT_LIMIT + 1)
    return render_template(
        "portal/staff/kiosks.html",
        alarm=raised_alarm(db.session(), current_app.config["MOLLIE_API_KEY"]),
        alarm_minutes=int(PROBE_EVERY.total_seconds() // 60),
        kiosks=[(device, kiosk_status(device, moment)) for device in list_devices(db.session())],
        checks=recent_checks(db.session(), moment - timedelta(days=RECENT_DAYS)),
        days=RECENT_DAYS,
        chargebacks=chargebacks[:RECENT_LIMIT],
        chargeback_days=WINDOW.days,
        chargebacks_left_out=len(chargebacks) > RECENT_LIMIT,
        chargeback_limit=RECENT_LIMIT,
        owed=balances(db.session(), (patron.id for _, _, patron in chargebacks if patron)),
        devices=DEVICE_WORDS,
        status_words=STATUS_WORDS,
        state_words=STATE_WORDS,
        outcome_words=OUTCOME_WORDS,
        document_words=document_words,
    )


def document_words(document_type: str | None) -> str:
    """The kind of ID document in words; nothing when none was read."""
    if not document_type:
        return "–"
    return str(DOCUMENT_WORDS.get(document_type[0], _l("Other document")))
