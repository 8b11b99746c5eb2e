"""Pay what you owe: confirm the amount, follow the PIN terminal, then the receipt."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.context import kiosk, patron_session
from kiosk.flows import pay
from kiosk.flows.pay import TerminalStatus
from kiosk.flows.session import PatronSession, Step
from kiosk.portal_client import PortalRefused, ProviderUnavailable
from kiosk.refusals import refusal_message

bp = Blueprint("pay", __name__, url_prefix="/betalen")
PATRON_REFUSALS = frozenset({"nothing_owed"})
View = Callable[..., Any]


def with_patron(view: View) -> View:
    """Run the view with the identified patron's session; the start screen without one."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        session = patron_session()
        if session is None or session.patron is None:
            return redirect(url_for("start.home"))
        return view(session, **kwargs)

    return wrapper


@bp.errorhandler(ProviderUnavailable)
def provider_unavailable(error: ProviderUnavailable) -> tuple[str, int]:
    """The payment service has a hiccup (the portal is fine): say so, and offer to try again."""
    return render_template("kiosk/pay/refused.html", reason=error.code), 503


@bp.get("")
@with_patron
def start(session: PatronSession) -> str | Response:
    """What is owed, and a button to pay it on the PIN terminal."""
    if session.step in (Step.PAYING, Step.PAID):
        return redirect(url_for("pay.progress"))
    return render_template("kiosk/pay/start.html", patron=session.patron)


@bp.post("")
@with_patron
def begin(session: PatronSession) -> Response | tuple[str, int]:
    """Start the payment on the terminal (a double tap follows the same payment)."""
    if session.step == Step.PAID:
        return redirect(url_for("pay.outcome"), code=303)
    if session.step not in (Step.PATRON, Step.PAYING):
        return redirect(url_for("start.patron"), code=303)
    try:
        pay.begin(kiosk(), session)
    except PortalRefused as refusal:
        # A refusal the patron can act on is said; the others are the kiosk's: the desk helps.
        shown = refusal.code in PATRON_REFUSALS
        message = refusal_message(refusal.code, refusal.details) if shown else None
        page = render_template("kiosk/pay/refused.html", reason=refusal.code, message=message)
        return page, 422
    return redirect(url_for("pay.progress"), code=303)


@bp.get("/terminal")
@with_patron
def progress(session: PatronSession) -> str | Response:
    """Follow the terminal: what to do there, and a button to stop."""
    current = pay.follow(kiosk(), session)
    if current is None:
        return redirect(url_for("pay.start"))
    if not current.status.waiting:
        return redirect(url_for("pay.outcome"))
    return render_template("kiosk/pay/progress.html", payment=current, status=status_text(current))


@bp.get("/status")
@with_patron
def status(session: PatronSession) -> Response:
    """Polled by the progress page: what the terminal does now; where to go once it ended."""
    current = pay.follow(kiosk(), session)
    if current is None or not current.status.waiting:
        return jsonify(go=url_for("pay.outcome"), status=None)
    return jsonify(go=None, status=status_text(current))


@bp.post("/stoppen")
@with_patron
def cancel(session: PatronSession) -> Response:
    """Cancel the payment on the terminal (too late once it accepted the card)."""
    pay.cancel(kiosk(), session)
    return redirect(url_for("pay.progress"), code=303)


@bp.get("/klaar")
@with_patron
def outcome(session: PatronSession) -> str | Response:
    """Paid (with the receipt), or why not, with try again and cancel."""
    current = pay.follow(kiosk(), session)
    if current is None:
        return redirect(url_for("start.patron"))
    if current.status.waiting:
        return redirect(url_for("pay.progress"))
    template = "paid.html" if current.status == TerminalStatus.PAID else "ended.html"
    return render_template(f"kiosk/pay/{template}", payment=current, patron=session.patron)


@bp.post("/terug")
@with_patron
def back(session: PatronSession) -> Response:
    """Back to the patron's screen (once no payment runs any more)."""
    if not pay.back_to_patron(session):
        return redirect(url_for("pay.progress"), code=303)
    return redirect(url_for("start.patron"), code=303)


def status_text(current: pay.PaymentAttempt) -> str:
    """What the patron should do or wait for while the terminal works."""
    if current.status == TerminalStatus.PENDING:
        return _("The terminal read your bank card. One moment please…")
    return _("Hold your bank card against the PIN terminal, or insert it, and follow the terminal.")
