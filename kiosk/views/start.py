"""The start screen, card taps, the patron's screen, language, reset and out of service."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.card_watch import Tap
from kiosk.config import LANGUAGES
from kiosk.context import begin_session, end_session, kiosk, patron_session, start_over
from kiosk.flows.identify import TapRefused, card_left, fresh_tap, identify_by_tap
from kiosk.flows.session import GUEST_STEPS, PatronSession, Step
from kiosk.locales import kiosk_locale
from kiosk.offered import offers
from kiosk.pages import take_if_shown
from kiosk.portal_client import PortalUnavailable
from kiosk.refusals import refusal_in_query
from kiosk.views import service
from kiosk.views.screen import back_to_page
from shared.refusals import REFUSALS

bp = Blueprint("start", __name__)
LONG_POLL_SECONDS = 0.4
STAYS_WITHOUT_CARD = {Step.PAYING, Step.PAID}  # a payment and its receipt outlast the card


@bp.get("/")
def home() -> str:
    """Hold your card against the reader, collect a card, become a guest, language. Back here
    from becoming a guest, that is left: a card laid now is a patron's again."""
    session = patron_session()
    if session is not None and session.step in GUEST_STEPS:
        start_over()
    return render_template("kiosk/start/home.html")


@bp.get("/events")
def events() -> Response:
    """Polled by every page: where to go now that a card came or went (null: stay)."""
    kiosk().watcher.wait_for_change(LONG_POLL_SECONDS)
    return jsonify(go=_next_page())


def _next_page() -> str | None:
    """A tap on the start screen opens the patron; taking the card away ends the session."""
    session = patron_session()
    if session is not None and session.patron is not None:
        if session.step not in STAYS_WITHOUT_CARD and card_left(kiosk(), session):
            end_session()
            return url_for("start.home")
        return None
    if session is None and request.args.get("session") == "1":
        return url_for("start.home")  # ended elsewhere (idle, reset): the page must go
    live = kiosk().sessions.current()
    if live is not None and live.step in GUEST_STEPS:
        return None  # a card laid now is the guest's own: their page takes it
    tap = take_if_shown(lambda: fresh_tap(kiosk()))
    return _open_tap(tap, session) if tap else None


def _open_tap(tap: Tap, previous: PatronSession | None) -> str:
    """Identify the tapped card at the portal (a new session, in the language of the one before
    the tap); the page to show for the outcome."""
    session = begin_session(previous)
    try:
        identify_by_tap(kiosk(), tap, session)
    except TapRefused as refusal:
        start_over()  # the refusal is said in the language the patron chose
        return url_for("start.card_refused", reason=refusal.code, **refusal.details)
    except PortalUnavailable:
        kiosk().heartbeat.went_offline()
        return service.leave_for_out_of_service()
    return url_for("start.patron")


@bp.get("/pas")
def patron() -> str | Response:
    """The patron's screen: name, valid through, what is owed, and what they can do."""
    session = patron_session()
    if session is None or session.patron is None:
        return redirect(url_for("start.home"))
    actions = patron_actions(session)
    return render_template("kiosk/start/patron.html", patron=session.patron, patron_actions=actions)


def patron_actions(session: PatronSession) -> list[dict[str, str]]:
    """What this patron can do here, of what the branch offers: pay what is owed, collect a
    card, block a lost card."""
    patron = session.patron or {}
    actions = []
    if offers("pay") and Decimal(patron.get("owed", "0")) > 0:
        actions.append({"url": url_for("pay.start"), "label": _("Pay what I owe")})
    if offers("collect") and patron.get("needs_card"):
        actions.append({"url": url_for("collect.verify_id"), "label": _("Collect my card")})
    if offers("lost") and patron.get("has_card") and session.proof == "password":
        actions.append({"url": url_for("lost.confirm"), "label": _("My card is lost: block it")})
    return actions


@bp.get("/pas-geweigerd")
def card_refused() -> str:
    """Why the tapped card did not open a patron screen, and what to do instead."""
    reason = request.args.get("reason", "")
    message = refusal_in_query(request.args, "reason") if reason in REFUSALS else None
    return render_template("kiosk/start/card_refused.html", reason=reason, message=message)


@bp.post("/taal")
def choose_language() -> Response:
    """Switch between Dutch and English for this patron (the kiosk's own language after them)."""
    language = request.form.get("lang", "")
    session = patron_session() or begin_session()
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    session.language = language if language in LANGUAGES else default
    session.language_chosen = True
    return back_to_page()


@bp.post("/nog-hier")
def still_here() -> tuple[str, int]:
    """Sent by the page while the patron touches or types: it counts as activity, nothing else."""
    return "", 204


@bp.post("/stoppen")
def reset() -> Response:
    """Stop: forget the patron and go back to the start screen."""
    end_session()
    return redirect(url_for("start.home"), code=303)


@bp.get("/buiten-gebruik")
def out_of_service() -> Response:
    """The kiosk cannot reach the library's system: go to the desk; it retries by itself. In
    the language of the patron it sent here (`lang`: their session is gone) until a session's
    idle time ends, then in the kiosk's own for whoever comes next."""
    language = request.args.get("lang", "") if patron_session() is None else ""
    if language not in LANGUAGES:
        return make_response(render_template("kiosk/start/out_of_service.html"))
    with force_locale(kiosk_locale(language)):
        response = make_response(render_template("kiosk/start/out_of_service.html"))
    config = current_app.config
    seconds = config["KIOSK_IDLE_SECONDS"] + config["KIOSK_COUNTDOWN_SECONDS"]
    response.headers["Refresh"] = f"{seconds}; url={url_for('start.out_of_service')}"
    return response
