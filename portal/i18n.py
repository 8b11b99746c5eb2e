"""The patron's language: an explicit choice kept in the session, else Dutch."""

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from shared.redirects import safe_path

LANGUAGES = ("nl", "en")
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "nl"


@bp.post("/taal")
def choose_language() -> Response:
    """Remember the chosen language and go back to the page the patron was on."""
    language = request.form.get("lang", "nl")
    session["lang"] = language if language in LANGUAGES else "nl"
    return redirect(safe_path(request.form.get("next")) or url_for("main.home"), code=303)
