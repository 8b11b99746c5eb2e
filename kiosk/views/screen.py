"""How the screen suits the patron and the branch: larger text for this session, the logo."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from kiosk.config import LOGO_TYPES
from kiosk.context import begin_session, patron_session
from shared.redirects import safe_path

bp = Blueprint("screen", __name__)
LOGO_MAX_AGE = 3600  # seconds; a session's end wipes the browser's cache anyway


def back_to_page() -> Response:
    """Back to the kiosk page the switch was pressed on (the start screen if it named none)."""
    return redirect(safe_path(request.form.get("next")) or url_for("start.home"), code=303)


@bp.post("/grotere-tekst")
def larger_text() -> Response:
    """Switch larger text on or off for this patron; the next session starts at normal size."""
    session = patron_session() or begin_session()
    session.larger_text = request.form.get("larger") == "1"
    return back_to_page()


@bp.get("/logo")
def logo() -> Response:
    """The library's logo (KIOSK_LOGO) for the header; 404 when the branch has none or its file
    went missing after the start (a 500 would end the patron's session over a picture)."""
    path = current_app.config["KIOSK_LOGO"]
    if not path:
        abort(404)
    kind = LOGO_TYPES[Path(path).suffix.lower()]
    try:
        return send_file(Path(path).absolute(), mimetype=kind, max_age=LOGO_MAX_AGE)
    except OSError:
        abort(404)
