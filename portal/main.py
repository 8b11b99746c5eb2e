"""Home page and health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from werkzeug.wrappers import Response

from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def home() -> str:
    """The portal's front page with the *Word lid* entry."""
    return render_template("portal/main/home.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with JSON when the portal and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 (any database failure means unhealthy)
        return jsonify(status="error", database=str(error.__class__.__name__)), 503
    return jsonify(status="ok", database="ok"), 200
