"""Card lost: a patron who logged in with number and password blocks their card, then collects
a new one (the collect flow's ID check and blank card)."""

from __future__ import annotations

import threading

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.context import kiosk, patron_session
from kiosk.flows.session import PatronSession, Step
from kiosk.portal_client import PortalRefused

bp = Blueprint("lost", __name__)
_blocking = threading.Lock()  # a double tap on "block" blocks once; the second sees it done


def _may_block(session: PatronSession | None) -> bool:
    """Only a patron who typed their password, on their own screen, with a card to block."""
    return (
        session is not None
        and session.proof == "password"
        and session.step == Step.PATRON
        and bool((session.patron or {}).get("has_card"))
    )


@bp.route("/kwijt", methods=["GET", "POST"])
def confirm() -> str | Response | tuple[str, int]:
    """Are you sure? Then the card is blocked at the portal."""
    session = patron_session()
    if session is None or session.patron is None:
        return redirect(url_for("collect.identify", purpose="lost"))
    if not _may_block(session):
        return redirect(url_for("start.patron"))
    if request.method == "GET":
        return render_template("kiosk/lost/confirm.html", patron=session.patron)
    with _blocking:
        return _block(session)


def _block(session: PatronSession) -> Response | tuple[str, int]:
    """Block the card at the portal, unless a request a moment ago already did."""
    if "blocked" in session.data:
        return redirect(url_for("lost.blocked"), code=303)
    try:
        answer = kiosk().portal.block_card(session.ticket or "")
    except PortalRefused:
        refusal = _("We could not block your card here. Please go to the desk.")
        page = render_template("kiosk/lost/confirm.html", patron=session.patron, refusal=refusal)
        return page, 422
    session.patron = answer["patron"]
    session.data["blocked"] = answer["blocked"]
    return redirect(url_for("lost.blocked"), code=303)


@bp.get("/kwijt/geblokkeerd")
def blocked() -> str | Response:
    """The card is blocked: collect a new one now (or later)."""
    session = patron_session()
    if session is None or "blocked" not in session.data:
        return redirect(url_for("start.home"))
    return render_template("kiosk/lost/blocked.html", blocked=session.data["blocked"])
