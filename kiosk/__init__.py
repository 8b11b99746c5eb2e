"""The branch kiosk: a touch application for tapping a card, paying and collecting a card."""

import ipaddress
import logging
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask, abort, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from kiosk.card_watch import CardWatcher
from kiosk.config import dev_panel_wanted, load_config
from kiosk.context import COOKIE, Kiosk, current_language, end_session, kiosk, patron_session
from kiosk.devices import Devices, from_config
from kiosk.extensions import babel, csrf
from kiosk.flows.session import IllegalMove, SessionStore
from kiosk.heartbeat import Heartbeat
from kiosk.portal_client import PortalClient, PortalUnavailable
from kiosk.views import service
from shared.paths import STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR

# Polling that is not the patron doing anything.
PASSIVE_ENDPOINTS = {"start.events", "static"} | {
    "collect.poll_scan",
    "collect.poll_mrz",
    "collect.poll_reading",
    "collect.poll_card",
}
log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None, devices: Devices | None = None) -> Flask:
    """Build the kiosk application and start watching its card reader."""
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    app.config.update(load_config(config))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=current_language)
    app.before_request(_local_only)  # first: a stranger must not even reach the CSRF check
    csrf.init_app(app)
    app.extensions["kiosk"] = _kiosk(app.config, devices or from_config(app.config))
    _register_blueprints(app)
    app.before_request(_count_activity)
    app.before_request(service.require_portal)
    _register_error_handlers(app)
    app.after_request(_session_cookie)
    app.context_processor(_template_globals)
    app.add_template_filter(date.fromisoformat, "iso_date")
    app.add_template_filter(Decimal, "decimal")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app


def _kiosk(config: dict[str, Any], devices: Devices) -> Kiosk:
    """The portal client, session store, and a running card watcher and heartbeat."""
    portal = PortalClient(
        config["KIOSK_PORTAL_URL"], config["KIOSK_DEVICE_TOKEN"], config["KIOSK_PORTAL_TIMEOUT"]
    )
    idle = config["KIOSK_IDLE_SECONDS"] + config["KIOSK_COUNTDOWN_SECONDS"]
    watcher = CardWatcher(devices)
    watcher.start()
    heartbeat = Heartbeat(portal, devices, config["KIOSK_HEARTBEAT_SECONDS"])
    heartbeat.start()
    sessions = SessionStore(idle)
    return Kiosk(portal, devices, sessions, watcher=watcher, heartbeat=heartbeat)


def _register_blueprints(app: Flask) -> None:
    """Attach every kiosk blueprint (the control panel only in the embedded default)."""
    from kiosk.views import collect, dev, lost, pay, start

    for module in (start, service, pay, collect, lost):
        app.register_blueprint(module.bp)
    if dev_panel_wanted(app.config, app.extensions["kiosk"].devices.all_simulated()):
        app.register_blueprint(dev.bp)


def _register_error_handlers(app: Flask) -> None:
    """Never a bare error page: every failure ends on a kiosk page that finds its way back."""
    app.register_error_handler(PortalUnavailable, service.portal_gone)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _start_again)
    app.register_error_handler(IllegalMove, _start_again)
    app.register_error_handler(Exception, _crashed)


def _local_only() -> None:
    """Only the browser on this machine may use the kiosk, unless KIOSK_ALLOW_REMOTE is on."""
    if current_app.config["KIOSK_ALLOW_REMOTE"]:
        return
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    if not local:
        abort(403)


def _http_error(error: HTTPException) -> Response | tuple[str, int]:
    """404, 405 …: start again on a kiosk page; 403: refuse a stranger, who ends nothing."""
    if error.code is None or error.code < 400:
        return error.get_response()
    if error.code == 403:
        return render_template("kiosk/start/forbidden.html"), 403
    # The browser's own fetches (a favicon) miss too; only a page the patron opened ends it.
    if request.headers.get("Sec-Fetch-Dest", "document") == "document":
        end_session()
    return render_template("kiosk/start/error.html"), error.code


def _start_again(error: Exception) -> tuple[str, int]:
    """A stale form (CSRF after a restart) or a step out of order: forget the patron, start over."""
    log.warning("starting again: %r", error)
    end_session()
    return render_template("kiosk/start/error.html"), 400


def _crashed(error: Exception) -> tuple[str, int]:
    """A bug: log it with its traceback, forget the patron, and start again."""
    log.error("unhandled error", exc_info=error)
    end_session()
    return render_template("kiosk/start/error.html"), 500


def _count_activity() -> None:
    """A request from the patron restarts the idle clock (polling does not)."""
    session = patron_session()
    if session is not None and request.endpoint not in PASSIVE_ENDPOINTS:
        kiosk().sessions.touch(session)


def _session_cookie(response: Response) -> Response:
    """Hand the browser a new session's cookie, or wipe its state when the session ended."""
    if g.get("new_session") is not None:
        response.set_cookie(COOKIE, g.new_session.id, httponly=True, samesite="Strict")
    elif g.get("clear_browser"):
        response.delete_cookie(COOKIE)
        response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _template_globals() -> dict[str, Any]:
    """What every kiosk page shows or needs: library, language, idle timing, session."""
    from flask import current_app
    from flask_babel import format_currency, format_date, format_datetime

    config = current_app.config
    return {
        "current_locale": current_language(),
        "library_name": config["KIOSK_LIBRARY_NAME"],
        "branch_name": config["KIOSK_BRANCH_NAME"],
        "idle_seconds": config["KIOSK_IDLE_SECONDS"],
        "countdown_seconds": config["KIOSK_COUNTDOWN_SECONDS"],
        "patron_session": patron_session(),
        "format_currency": format_currency,
        "format_date": format_date,
        "format_datetime": format_datetime,
    }
