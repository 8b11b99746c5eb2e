"""Out of service: every page and poll goes to the out-of-service screen while the portal is
away, and that screen's poll brings the kiosk back once the portal answers again."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from kiosk.context import current_language, end_session, kiosk
from kiosk.portal_client import PortalUnavailable

bp = Blueprint("service", __name__)
# The language switch too: the out-of-service screen is said in the patron's language.
WORKS_OFFLINE = {"start.out_of_service", "start.choose_language", "service.status", "static"}


@bp.get("/status")
def status() -> Response:
    """Polled by the out-of-service screen: go to the start screen once the portal answers."""
    online = kiosk().heartbeat.back_online()
    return jsonify(go=url_for("start.home") if online else None, status=None)


def require_portal() -> Response | None:
    """Before a request: send it out of service while the portal is known to be away."""
    endpoint = request.endpoint or ""
    # The control panel, and the screen's logo and text size (on the out-of-service screen too).
    without_portal = endpoint in WORKS_OFFLINE or endpoint.startswith(("dev.", "screen."))
    if kiosk().heartbeat.online or without_portal:
        return None
    return out_of_service()


def portal_gone(_error: PortalUnavailable) -> Response:
    """A flow's call found the portal away: out of service until it is back."""
    kiosk().heartbeat.went_offline()
    return out_of_service()


def out_of_service() -> Response:
    """Forget the patron and show the out-of-service screen (polls get told to go there)."""
    target = leave_for_out_of_service()
    if request.headers.get("Sec-Fetch-Dest") == "empty" or request.endpoint == "start.events":
        return jsonify(go=target, status=None)
    return redirect(target, code=303)


def leave_for_out_of_service() -> str:
    """Forget the patron; the out-of-service screen's address, naming their language when it
    is not the kiosk's own (nothing else of them is kept while the portal is away)."""
    language = current_language()
    end_session()
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return url_for("start.out_of_service", lang=None if language == default else language)
