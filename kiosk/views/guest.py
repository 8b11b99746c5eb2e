"""Becoming a guest patron (seed 003, *Gastlener worden*): the patron's own library card laid on
the reader (or its number typed or scanned), its library chosen where the number leaves a choice,
the terms accepted, the ID document checked against the own library's data; then the slip."""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.context import begin_session, kiosk, patron_session
from kiosk.flows import guest
from kiosk.flows.date_parts import form_parts
from kiosk.flows.document_access import TypedFieldsInvalid, typed_fields
from kiosk.flows.id_check import MAX_ATTEMPTS, RETRYABLE
from kiosk.flows.identify import fresh_tap
from kiosk.flows.session import PatronSession, Step
from kiosk.hardware.base import MrzInput
from kiosk.jobs import Job, current_job, start_job
from kiosk.pages import scanner_for_page, take_if_shown
from kiosk.portal_client import PortalRefused, PortalUnavailable
from kiosk.receipts import print_receipt
from kiosk.refusals import refusal_message
from kiosk.views.collect_messages import ID_PROBLEMS
from kiosk.views.document_scan import SCAN_WAIT_SECONDS, scan_poll, typed_problems
from shared.library_codes import HOME_CARD

bp = Blueprint("guest", __name__)
STEP_PAGES = {
    Step.GUEST_CARD: "guest.card",
    Step.GUEST_LIBRARY: "guest.library",
    Step.GUEST_TERMS: "guest.terms",
    Step.GUEST_ID: "guest.verify_id",
    Step.GUEST_DONE: "guest.done",
    Step.DESK: "guest.desk",
}
JOB = "guest"
UNREAD = "document_unread"  # why the desk helps on: the document's chip could not be read


def _where_now(session: PatronSession | None) -> str:
    """The page of the guest step the session is at (the start screen otherwise)."""
    return url_for(STEP_PAGES.get(session.step, "start.home") if session else "start.home")


def _poll(go: str | None = None, status: str | None = None) -> Response:
    """A poll's answer."""
    return jsonify(go=go, status=status)


def _lock(session: PatronSession) -> threading.Lock:
    """The session's lock for a step that must happen once (a tap and a typed number at once)."""
    # dict.setdefault is atomic, so requests racing here all get the same lock.
    return session.data.setdefault("lock", threading.Lock())


def _drain_scanner() -> None:
    """Forget scans made before this page (they may be someone else's)."""
    while kiosk().devices.scanner.read(0) is not None:
        pass


def _at(step: Step) -> PatronSession | None:
    """The session, if it is at this step."""
    session = patron_session()
    return session if session is not None and session.step == step else None


# The own card -----------------------------------------------------------------------------


@bp.route("/gastlener", methods=["GET", "POST"])
def card() -> str | Response | tuple[str, int]:
    """Lay your own library card on the reader, or type or scan its number."""
    session = patron_session() or begin_session()
    with _lock(session):
        if session.step == Step.START:
            session.move(Step.GUEST_CARD)
    if session.step != Step.GUEST_CARD:
        return redirect(_where_now(session))
    if request.method == "GET":
        _drain_scanner()
        return render_template("kiosk/guest/card.html", error=None)
    number = typed_number(request.form.get("card_number", ""))
    if not HOME_CARD.fullmatch(number):
        error = _("Type the number on your library card: 4 to 20 digits or letters.")
        return render_template("kiosk/guest/card.html", error=error, number=number), 422
    return redirect(_chose_card(session, guest.OwnCard(number)), code=303)


@bp.get("/gastlener/pas")
def poll_card() -> Response:
    """Polled by the card page: a card laid on the reader, or a number scanned."""
    session = _at(Step.GUEST_CARD)
    if session is None:
        return _poll(go=_where_now(patron_session()))
    tap = take_if_shown(lambda: fresh_tap(kiosk()))
    if tap is not None:
        own = guest.own_card(tap.contents)
        if own is None:
            return _poll(status=_("We cannot read this card. Type or scan its number instead."))
        return _poll(go=_chose_card(session, own))
    line = scanner_for_page(kiosk().devices.scanner)(SCAN_WAIT_SECONDS)
    if line is None:
        return _poll()
    if not HOME_CARD.fullmatch(number := typed_number(line)):
        return _poll(
            status=_("That is not a library card's number. Scan the barcode on your card.")
        )
    return _poll(go=_chose_card(session, guest.OwnCard(number)))


def typed_number(text: str) -> str:
    """A card number as typed or printed ("2000 0123-4567"): without spaces and dashes, in
    capitals as a chip carries it."""
    return "".join(char for char in text if char not in " -\t").upper()


def _chose_card(session: PatronSession, own: guest.OwnCard) -> str:
    """The card is known: its library is asked for (none to choose when the chip or the number
    names one), the page to go to."""
    with _lock(session):
        if session.step != Step.GUEST_CARD:
            return _where_now(session)
        session.data["own_card"] = own
        found = _libraries(session, "")
        if len(found) == 1:
            session.data["isil"] = found[0]["isil"]
            session.move(Step.GUEST_TERMS)
        else:
            session.move(Step.GUEST_LIBRARY)
    return _where_now(session)


# The library --------------------------------------------------------------------------------


def _libraries(session: PatronSession, search: str) -> list[dict[str, str]]:
    """The libraries the card may come from (and those found by name), as the portal says."""
    return guest.libraries(kiosk(), session.data["own_card"], search)


@bp.route("/gastlener/bibliotheek", methods=["GET", "POST"])
def library() -> str | Response:
    """Which library gave you your card? Those its number may come from, and a search by name."""
    session = _at(Step.GUEST_LIBRARY)
    if session is None:
        return redirect(_where_now(patron_session()))
    search = request.values.get("search", "").strip()[:120]
    try:
        found = _libraries(session, search)
    except PortalRefused as refused:
        return redirect(_to_desk(session, refused.code, refused.details), code=303)
    chosen = request.form.get("isil", "")
    if request.method == "POST" and chosen in {library["isil"] for library in found}:
        with _lock(session):
            if session.step == Step.GUEST_LIBRARY:
                session.data["isil"] = chosen
                session.move(Step.GUEST_TERMS)
        return redirect(_where_now(session), code=303)
    return render_template("kiosk/guest/library.html", libraries=found, search=search)


# The terms ----------------------------------------------------------------------------------


@bp.route("/gastlener/voorwaarden", methods=["GET", "POST"])
def terms() -> str | Response:
    """The terms of use: accepted, or back to the start."""
    session = _at(Step.GUEST_TERMS)
    if session is None:
        return redirect(_where_now(patron_session()))
    if request.method == "POST":
        with _lock(session):
            if session.step == Step.GUEST_TERMS:
                session.data["accepted_terms"] = True
                session.move(Step.GUEST_ID)
        return redirect(_where_now(session), code=303)
    return render_template("kiosk/guest/terms.html")


# The ID document ----------------------------------------------------------------------------


def _id_page(**context: Any) -> str:
    """The ID page of the guest flow (the collect flow's, at the guest's step)."""
    urls = {"form_url": url_for("guest.verify_id"), "poll_url": url_for("guest.poll_mrz")}
    intro = _(
        "We check that the card is yours. We only keep that we checked it, never your"
        " document details."
    )
    context = {"errors": {}, "wrong_parts": set(), **urls, "flow": "guest", "step": 4, **context}
    context["intro"] = intro
    return render_template("kiosk/collect/verify_id.html", **context)


@bp.route("/gastlener/legitimatie", methods=["GET", "POST"])
def verify_id() -> str | Response | tuple[str, int]:
    """Scan the document's MRZ or type its number and dates; then the chip is read."""
    session = _at(Step.GUEST_ID)
    if session is None:
        return redirect(_where_now(patron_session()))
    if current_job(session, JOB) is not None:
        return redirect(url_for("guest.reading"), code=303)
    if request.method == "GET":
        _drain_scanner()
        return _id_page(problem=ID_PROBLEMS.get(request.args.get("problem", "")))
    form = request.form
    birth, expiry = form_parts(form, "birth_date"), form_parts(form, "expiry_date")
    try:
        access = typed_fields(form.get("document_number", ""), birth, expiry, kiosk().clock.today())
    except TypedFieldsInvalid as invalid:
        errors, wrong = typed_problems(invalid)
        return _id_page(errors=errors, wrong_parts=wrong, values=form), 422
    _start_reading(session, access)
    return redirect(url_for("guest.reading"), code=303)


@bp.get("/gastlener/mrz")
def poll_mrz() -> Response:
    """Polled by the ID page: scanned MRZ lines start the chip read once complete."""
    session = _at(Step.GUEST_ID)
    if session is None:
        return _poll(go=_where_now(patron_session()))
    return scan_poll(lambda mrz: _start_reading(session, mrz), url_for("guest.reading"))


def _start_reading(session: PatronSession, access: MrzInput) -> None:
    """Read the chip and register in a job, unless one runs already (a double submit)."""
    running, timeout = kiosk(), current_app.config["KIOSK_DOCUMENT_TIMEOUT"]
    own: guest.OwnCard = session.data["own_card"]
    accepted = bool(session.data.get("accepted_terms"))
    choices = guest.Choices(session.data["isil"], access, accepted, session.language)
    with _lock(session):
        if session.step != Step.GUEST_ID or current_job(session, JOB) is not None:
            return
        session.data["id_attempts"] = session.data.get("id_attempts", 0) + 1
        start_job(session, JOB, lambda: guest.register(running, own, choices, timeout))


@bp.get("/gastlener/lezen")
def reading() -> str | Response:
    """Hold the document flat on the reader while its chip is read."""
    session = _at(Step.GUEST_ID)
    if session is None or current_job(session, JOB) is None:
        return redirect(_where_now(patron_session()))
    return render_template(
        "kiosk/collect/reading.html", poll_url=url_for("guest.poll_reading"), flow="guest", step=4
    )


@bp.get("/gastlener/lezen/status")
def poll_reading() -> Response:
    """Polled while the chip is read and the guest registered: done, the form again, or the
    desk."""
    session = _at(Step.GUEST_ID)
    job = current_job(session, JOB) if session else None
    if session is None or job is None:
        return _poll(go=_where_now(patron_session()))
    if not job.done.is_set():
        return _poll()
    with _lock(session):
        if session.data.pop(f"job:{JOB}", None) is None:
            return _poll(go=_where_now(session))  # another poll took the outcome
        return _poll(go=_after_reading(session, job))


def _after_reading(session: PatronSession, job: Job) -> str:
    """The page after the read and the portal's answer."""
    if isinstance(job.error, PortalUnavailable):
        raise job.error
    if isinstance(job.error, guest.DocumentUnread):
        if job.error.problem in RETRYABLE and session.data["id_attempts"] < MAX_ATTEMPTS:
            return url_for("guest.verify_id", problem=job.error.problem)
        return _to_desk(session, UNREAD, {})
    if isinstance(job.error, PortalRefused):
        return _to_desk(session, job.error.code, job.error.details)
    if job.error is not None:
        raise job.error
    _print_slip(session, job.result)
    return url_for("guest.done")


def _to_desk(session: PatronSession, code: str, details: dict[str, str]) -> str:
    """Self-service ends here: the desk helps further (why: said in the screen's language)."""
    session.data["desk_why"] = (code, details)
    session.move(Step.DESK)
    return url_for("guest.desk")


def _print_slip(session: PatronSession, answer: dict[str, Any]) -> None:
    """The guest is registered: print the slip (or keep it to show)."""
    running = kiosk()
    branch = running.heartbeat.known_branch()
    own: guest.OwnCard = session.data["own_card"]
    slip = guest.guest_slip(current_app.config, branch, answer, own, running.clock.now())
    printed = print_receipt(running.devices, slip)
    if not printed:
        running.heartbeat.report_now()
    session.data["slip"] = (slip, printed, bool(answer["mailed"]))
    session.move(Step.GUEST_DONE)


@bp.get("/gastlener/klaar")
def done() -> str | Response:
    """You are a guest patron: the slip, or what it says when it could not be printed."""
    session = _at(Step.GUEST_DONE)
    if session is None:
        return redirect(_where_now(patron_session()))
    slip, printed, mailed = session.data["slip"]
    return render_template("kiosk/guest/done.html", slip=slip, printed=printed, mailed=mailed)


@bp.get("/gastlener/balie")
def desk() -> str | Response:
    """Please go to the desk, and why."""
    session = _at(Step.DESK)
    if session is None or "desk_why" not in session.data:
        return redirect(url_for("start.home"))  # another flow's desk page is that flow's
    code, details = session.data["desk_why"]
    why = _("We could not read your ID document.") if code == UNREAD else None
    return render_template("kiosk/guest/desk.html", why=why or refusal_message(code, details))
