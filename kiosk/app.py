"""The kiosk application: its factory, and the background threads that whatever serves it starts.

`create_app` has no side effects: it starts no thread and leaves logging alone, so tests and
tools may build as many kiosks as they like. `start_background` starts the card watcher and the
heartbeat; `python -m kiosk` (and the tests' `running_kiosk`) call it.
"""

import ipaddress
import logging
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask, abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from kiosk.card_watch import CardWatcher
from kiosk.config import dev_panel_wanted, load_config
from kiosk.context import COOKIE, Kiosk, current_language, kiosk, patron_session, start_over
from kiosk.devices import Devices, from_config
from kiosk.extensions import babel, csrf
from kiosk.flows.card_slip import valid_through_text
from kiosk.flows.pay import ReceiptMail, TerminalStatus
from kiosk.flows.session import DeskReason, IllegalMove, SessionStore
from kiosk.heartbeat import Heartbeat
from kiosk.locales import kiosk_locale
from kiosk.offered import offers, refuse_flows_not_offered
from kiosk.pages import PageNumbers, is_document, page_arrives, page_number, stay_when_left
from kiosk.portal_client import PortalClient, PortalUnavailable
from kiosk.views import service
from shared.clock import SYSTEM_CLOCK, Clock
from shared.paths import STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR

# Polling that is not the patron doing anything.
# The terminal page's poll counts as activity: the patron is busy at the PIN terminal, and
# KIOSK_TERMINAL_SECONDS bounds that wait.
PASSIVE_ENDPOINTS = {"start.events", "static", "screen.logo"} | {
    "collect.poll_scan",
    "collect.poll_mrz",
    "collect.poll_reading",
    "collect.poll_card",
}
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
FETCH_CRASHES = 3  # a session whose fetches crashed this often starts over
# Scripts and styles come from the kiosk's own files only (no inline script, no handler
# attributes); nothing may frame it; the browser offers no camera, microphone or location.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "X-Frame-Options": "DENY",
}
log = logging.getLogger(__name__)


def create_app(
    config: dict[str, Any] | None = None,
    devices: Devices | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Flask:
    """Build the kiosk application on `clock` (its card watcher and heartbeat not yet running)."""
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    app.config.update(load_config(config))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=lambda: kiosk_locale(current_language()))
    app.before_request(_local_only)  # first: a stranger must not even reach the CSRF check
    csrf.init_app(app)
    app.extensions["kiosk"] = _kiosk(app.config, devices or from_config(app.config), clock)
    app.extensions["kiosk_pages"] = PageNumbers()
    _register_blueprints(app)
    app.before_request(_page_arrives)
    app.before_request(refuse_flows_not_offered)
    app.before_request(_count_activity)
    app.before_request(service.require_portal)
    _register_error_handlers(app)
    app.after_request(stay_when_left)
    app.after_request(_session_cookie)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.add_template_filter(date.fromisoformat, "iso_date")
    app.add_template_filter(Decimal, "decimal")
    app.add_template_filter(valid_through_text, "valid_through")
    # Templates compare statuses with these, never with bare strings.
    app.jinja_env.globals.update(
        TerminalStatus=TerminalStatus, ReceiptMail=ReceiptMail, DeskReason=DeskReason
    )
    app.jinja_env.globals["page_number"] = page_number
    app.jinja_env.globals["offers"] = offers  # in macros imported without the context too
    return app


def start_background(app: Flask) -> None:
    """Start the kiosk's card watcher and heartbeat threads."""
    running: Kiosk = app.extensions["kiosk"]
    running.watcher.start()
    running.heartbeat.start()


def stop_background(app: Flask) -> None:
    """Stop the threads `start_background` started."""
    running: Kiosk = app.extensions["kiosk"]
    running.watcher.stop()
    running.heartbeat.stop()


def _kiosk(config: dict[str, Any], devices: Devices, clock: Clock) -> Kiosk:
    """The portal client, session store, card watcher and heartbeat (not yet started)."""
    portal = PortalClient(
        config["KIOSK_PORTAL_URL"], config["KIOSK_DEVICE_TOKEN"], config["KIOSK_PORTAL_TIMEOUT"]
    )
    # One keep-alive interval more than the page's countdown: the page ends the session, with
    # its dialog, before the server's idle clock would.
    idle = sum(config[name] for name in ("KIOSK_IDLE_SECONDS", "KIOSK_COUNTDOWN_SECONDS"))
    idle += config["KIOSK_KEEPALIVE_SECONDS"]
    watcher = CardWatcher(devices, clock)
    heartbeat = Heartbeat(portal, devices, config["KIOSK_HEARTBEAT_SECONDS"], clock)
    sessions = SessionStore(idle, clock)
    return Kiosk(portal, devices, sessions, watcher=watcher, heartbeat=heartbeat, clock=clock)


def _register_blueprints(app: Flask) -> None:
    """Attach every kiosk blueprint (the control panel only in the embedded default)."""
    from kiosk.views import collect, dev, guest, lost, pay, screen, start

    for module in (start, screen, service, pay, collect, lost, guest):
        app.register_blueprint(module.bp)
    if dev_panel_wanted(app.config, app.extensions["kiosk"].devices.all_simulated()):
        # Loopback-only and never in production; a tab open beside the kiosk's must not turn
        # stale when the patron's reset renews the kiosk's CSRF token.
        csrf.exempt(dev.bp)
        app.register_blueprint(dev.bp)


def _register_error_handlers(app: Flask) -> None:
    """Never a bare error page: every failure ends on a kiosk page that finds its way back."""
    app.register_error_handler(PortalUnavailable, service.portal_gone)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _stale_form)
    app.register_error_handler(IllegalMove, _start_again)
    app.register_error_handler(Exception, _crashed)


def _local_only() -> None:
    """Only the browser on this machine may use the kiosk, unless KIOSK_ALLOW_REMOTE is on."""
    if current_app.config["KIOSK_ALLOW_REMOTE"]:
        return
    # Behind a local reverse proxy every request comes from loopback: refuse proxied ones.
    proxied = any(name in request.headers for name in PROXY_HEADERS)
    if proxied or not _loopback(request.remote_addr or ""):
        abort(403)


def _loopback(address: str) -> bool:
    """Whether the address is this machine (also as an IPv4-mapped IPv6 address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _http_error(error: HTTPException) -> Response:
    """404, 405, 429 …: start again on a kiosk page; 403: refuse a stranger, who ends nothing."""
    if error.code is None or error.code < 400:
        return error.get_response()
    if error.code == 403:
        return make_response(render_template("kiosk/start/forbidden.html"), 403)
    if _patron_page():
        start_over()
    return _error_page(error.code)


def _error_page(status: int) -> Response:
    """The kiosk's error page in the patron's language, which the browser leaves for the start
    screen after KIOSK_ERROR_RETURN_SECONDS (a Refresh header: no script needed to go back)."""
    seconds = current_app.config["KIOSK_ERROR_RETURN_SECONDS"]
    page = render_template("kiosk/start/error.html", status=status, seconds=seconds)
    response = make_response(page, status)
    response.headers["Refresh"] = f"{seconds}; url={url_for('start.home')}"
    return response


def _patron_page() -> bool:
    """Whether the request is a kiosk page the patron opened (not a fetch, not the panel)."""
    # The browser's own fetches (a favicon, the keep-alive) fail too; they must end nothing.
    return is_document() and not (request.endpoint or "").startswith("dev.")


def _stale_form(error: CSRFError) -> Response:
    """A stale form (CSRF after a restart): a patron's page starts over; a fetch is refused."""
    if _patron_page():
        return _start_again(error)
    log.warning("stale CSRF token refused: %s", error.description)
    return _error_page(400)


def _start_again(error: Exception) -> Response:
    """A stale form or a step out of order: forget the patron and start over."""
    log.warning("starting again: %r", error)
    start_over()
    return _error_page(400)


def _crashed(error: Exception) -> Response:
    """A bug: log it with its traceback; on a patron's page, forget the patron and start again
    (a fetch that failed leaves the page on the screen as it is, unless it keeps failing)."""
    log.error("unhandled error", exc_info=error)
    if _patron_page() or _fetches_keep_crashing():
        start_over()
    return _error_page(500)


def _fetches_keep_crashing() -> bool:
    """Whether the session's fetches have now crashed FETCH_CRASHES times: a poll that always
    fails must not hold the patron on a page that never moves until the idle time ends it."""
    session = patron_session()
    if session is None:
        return False
    session.data["fetch_crashes"] = session.data.get("fetch_crashes", 0) + 1
    return bool(session.data["fetch_crashes"] >= FETCH_CRASHES)


def _page_arrives() -> None:
    """A patron's page is asked for: the one on the screen takes no more input."""
    if _patron_page():
        page_arrives()


def _count_activity() -> None:
    """A request from the patron restarts the idle clock (polling does not)."""
    session = patron_session()
    if session is not None and request.endpoint not in PASSIVE_ENDPOINTS:
        kiosk().sessions.touch(session)


def _session_cookie(response: Response) -> Response:
    """Wipe the browser's state when a session ended; hand it a new session's cookie."""
    if g.get("clear_browser"):
        # Not "cookies": that would wipe every cookie of this host, the portal's login too.
        # The kiosk's form cookie went with the Flask session (end_session clears it).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    if g.get("new_session") is not None:
        response.set_cookie(COOKIE, g.new_session.id, httponly=True, samesite="Strict")
    elif g.get("clear_browser"):
        response.delete_cookie(COOKIE)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _security_headers(response: Response) -> Response:
    """What every kiosk answer tells the browser about scripts, framing, referrers and devices."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _template_globals() -> dict[str, Any]:
    """What every kiosk page shows or needs: library, language, layout, idle timing, session."""

    config, locale, session = current_app.config, get_locale(), patron_session()
    return {
        # The page's language, also where one is forced (the out-of-service screen).
        "current_locale": locale.language if locale else current_language(),
        "library_name": config["KIOSK_LIBRARY_NAME"],
        "branch_name": config["KIOSK_BRANCH_NAME"],
        "logo": bool(config["KIOSK_LOGO"]),
        "orientation": config["KIOSK_ORIENTATION"],
        "larger_text": session is not None and session.larger_text,
        "idle_seconds": config["KIOSK_IDLE_SECONDS"],
        "countdown_seconds": config["KIOSK_COUNTDOWN_SECONDS"],
        "keepalive_seconds": config["KIOSK_KEEPALIVE_SECONDS"],
        "patron_session": session,
        "format_currency": format_currency,
        "format_date": format_date,
        "format_datetime": format_datetime,
    }
