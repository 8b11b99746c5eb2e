"""Collecting a card: identify (QR code or number and password), verify the ID document, encode
a blank card and print the slip. The identify form also serves the lost-card flow."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.context import begin_session, kiosk, patron_session
from kiosk.flows.card_slip import new_card_slip
from kiosk.flows.date_parts import form_parts
from kiosk.flows.document_access import TypedFieldsInvalid, typed_fields
from kiosk.flows.encode import CardEncoder, CardNotLinked, SessionGone
from kiosk.flows.id_check import IdCheckResult, check_document
from kiosk.flows.session import DeskReason, PatronSession, Step
from kiosk.hardware.base import CardTimeout, MrzInput
from kiosk.jobs import Job, current_job, start_job
from kiosk.offered import page_flow
from kiosk.pages import scanner_for_page
from kiosk.portal_client import PortalRefused, PortalUnavailable
from kiosk.receipts import print_receipt
from kiosk.refusals import refusal_in_query, refusal_message
from kiosk.views.collect_messages import (
    ENCODE_STATUS,
    ID_PROBLEMS,
)
from kiosk.views.document_scan import SCAN_WAIT_SECONDS, scan_poll, typed_problems

bp = Blueprint("collect", __name__)
STEP_PAGES = {
    Step.COLLECT_IDENTIFY: "collect.identify",
    Step.ID_CHECK: "collect.verify_id",
    Step.BLANK_CARD: "collect.blank_card",
    Step.CARD_DONE: "collect.done",
    Step.DESK: "collect.desk",
    Step.PATRON: "start.patron",
}
# The portal's refusals of a card for the subscription, and what the desk page says of each.
SUBSCRIPTION_REFUSALS = {
    "subscription_not_valid": DeskReason.SUBSCRIPTION,
    "subscription_refused": DeskReason.REFUSED,
}


def _where_now(session: PatronSession | None) -> str:
    """The page of the step the session is at (the start screen without one)."""
    return url_for(STEP_PAGES.get(session.step, "start.home") if session else "start.home")


def _poll(go: str | None = None, status: str | None = None) -> Response:
    """A progress poll's answer."""
    return jsonify(go=go, status=status)


def _lock(session: PatronSession) -> threading.Lock:
    """The session's lock for steps that must happen once however many requests come at the
    same moment (a double tap, a scan while the form is sent)."""
    # dict.setdefault is atomic, so requests racing here all get the same lock.
    return session.data.setdefault("lock", threading.Lock())


def _drain_scanner() -> None:
    """Forget scans made before this page (they may be someone else's code)."""
    while kiosk().devices.scanner.read(0) is not None:
        pass


# Identify ----------------------------------------------------------------------------------


@bp.route("/ophalen/inloggen", methods=["GET", "POST"])
def identify() -> str | Response | tuple[str, int]:
    """Scan the QR code from the welcome mail, type its short code, or number and password."""
    purpose = page_flow() or "collect"
    session = patron_session() or begin_session()
    if session.patron is not None:
        return redirect(_where_now(session))
    with _lock(session):
        if session.step == Step.START:
            session.move(Step.COLLECT_IDENTIFY)
    if request.method == "GET":
        _drain_scanner()
        return _identify_page(purpose, refusal=refusal_in_query(request.args, "error"))
    if purpose == "collect" and "code" in request.form:
        return _identify_by_typed_code(session)
    return _identify_by_password(session, purpose)


def _identify_by_typed_code(session: PatronSession) -> Response | tuple[str, int]:
    """Check the code typed from the welcome mail at the portal."""
    code = request.form.get("code", "").strip()
    if not code:
        return _identify_page("collect", errors={"code": _("Type the code.")}), 422
    try:
        go = _identify_once(session, "collect", lambda: kiosk().portal.identify("qr", code=code))
    except PortalRefused as refusal:
        message = refusal_message(refusal.code, refusal.details)
        return _identify_page("collect", errors={"code": message}, code=code), 422
    return redirect(go, code=303)


def _identify_by_password(session: PatronSession, purpose: str) -> Response | tuple[str, int]:
    """Check the typed number and password at the portal."""
    login, password = request.form.get("login", "").strip(), request.form.get("password", "")
    errors = {}
    if not login:
        errors["login"] = _("Type your number.")
    if not password:
        errors["password"] = _("Type your password.")
    if errors:
        return _identify_page(purpose, errors=errors, login=login), 422
    try:
        go = _identify_once(
            session,
            purpose,
            lambda: kiosk().portal.identify("password", login=login, password=password),
        )
    except PortalRefused as refusal:
        message = refusal_message(refusal.code, refusal.details)
        return _identify_page(purpose, refusal=message, login=login), 422
    return redirect(go, code=303)


def _identify_page(purpose: str, **context: Any) -> str:
    """The identify page (with the QR scan only when collecting a card)."""
    context.setdefault("errors", {})
    return render_template("kiosk/collect/identify.html", purpose=purpose, **context)


def _identify_once(session: PatronSession, purpose: str, ask: Callable[[], dict[str, Any]]) -> str:
    """Identify with the portal's answer to `ask` and keep the patron; where they go next.

    Of requests at the same moment (a double tap on "Log in", a QR scan meanwhile) only the
    first asks; the others find the patron identified and go on to the same page."""
    with _lock(session):
        if session.patron is None:
            answer = ask()
            collecting = _collecting(answer["patron"], purpose)
            session.identified(answer, Step.ID_CHECK if collecting else Step.PATRON)
        if session.step == Step.ID_CHECK and not _subscription_valid(session):
            return _to_desk(session, _subscription_reason(session))
        return _after_identifying(session.patron or {}, purpose)


def _subscription_valid(session: PatronSession) -> bool:
    """Whether the patron's subscription is valid today (no card is issued on one that is not)."""
    return bool((session.patron or {}).get("subscription_valid"))


def _subscription_reason(session: PatronSession) -> DeskReason:
    """Why the subscription is not valid, as the desk page says it: refused by the library, or
    ended."""
    refused = (session.patron or {}).get("subscription_refused")
    return DeskReason.REFUSED if refused else DeskReason.SUBSCRIPTION


def _collecting(patron: dict[str, Any], purpose: str) -> bool:
    """Whether the identified patron goes on to collect a card."""
    return purpose == "collect" and bool(patron.get("needs_card"))


def _after_identifying(patron: dict[str, Any], purpose: str) -> str:
    """The page after identifying, by what the patron came for and needs."""
    if _collecting(patron, purpose):
        return url_for("collect.verify_id")
    if purpose == "lost":
        return url_for("lost.confirm" if patron.get("has_card") else "start.patron")
    return url_for("collect.not_needed")


@bp.get("/ophalen/inloggen/scan")
def poll_scan() -> Response:
    """Polled by the identify page: a scanned QR code identifies the patron."""
    session = patron_session()
    if session is None or session.step != Step.COLLECT_IDENTIFY:
        return _poll(go=_where_now(session))
    code = scanner_for_page(kiosk().devices.scanner)(SCAN_WAIT_SECONDS)
    if code is None:
        return _poll()
    try:
        go = _identify_once(session, "collect", lambda: kiosk().portal.identify("qr", code=code))
    except PortalRefused as refusal:
        return _poll(go=url_for("collect.identify", error=refusal.code, **refusal.details))
    return _poll(go=go)


@bp.get("/ophalen/niet-nodig")
def not_needed() -> str | Response:
    """The patron has a card already (or their subscription has none): nothing to collect."""
    session = patron_session()
    if session is None or session.patron is None:
        return redirect(url_for("start.home"))
    return render_template("kiosk/collect/not_needed.html")


# The ID document ---------------------------------------------------------------------------


@bp.route("/ophalen", methods=["GET", "POST"])
def verify_id() -> str | Response | tuple[str, int]:
    """Scan the document's MRZ or type its number and dates; then the chip is read."""
    session = patron_session()
    if session is None or session.patron is None:
        return redirect(url_for("collect.identify"))
    with _lock(session):
        if session.step == Step.PATRON and session.patron.get("needs_card"):
            session.move(Step.ID_CHECK)
    if session.step == Step.ID_CHECK and not _subscription_valid(session):
        return redirect(_to_desk(session, _subscription_reason(session)))
    if session.step != Step.ID_CHECK:
        return redirect(_where_now(session))
    if current_job(session, "id_check") is not None:
        return redirect(url_for("collect.reading"), code=303)
    if request.method == "GET":
        _drain_scanner()
        problem = ID_PROBLEMS.get(request.args.get("problem", ""))
        return render_template(
            "kiosk/collect/verify_id.html", errors={}, wrong_parts=set(), problem=problem
        )
    return _typed_document(session)


def _typed_document(session: PatronSession) -> Response | tuple[str, int]:
    """Start reading the chip with the typed number and dates, if they can be right."""
    form = request.form
    birth, expiry = form_parts(form, "birth_date"), form_parts(form, "expiry_date")
    try:
        access = typed_fields(form.get("document_number", ""), birth, expiry, kiosk().clock.today())
    except TypedFieldsInvalid as invalid:
        return _document_form(invalid), 422
    _start_reading(session, access)
    return redirect(url_for("collect.reading"), code=303)


def _document_form(invalid: TypedFieldsInvalid) -> str:
    """The ID page again with what is wrong at each wrong field (and the date parts to fix)."""
    errors, wrong_parts = typed_problems(invalid)
    return render_template(
        "kiosk/collect/verify_id.html", errors=errors, wrong_parts=wrong_parts, values=request.form
    )


@bp.get("/ophalen/mrz")
def poll_mrz() -> Response:
    """Polled by the ID page: scanned MRZ lines start the chip read once complete."""
    session = patron_session()
    if session is None or session.step != Step.ID_CHECK:
        return _poll(go=_where_now(session))
    return scan_poll(lambda mrz: _start_reading(session, mrz), url_for("collect.reading"))


def _start_reading(session: PatronSession, access: MrzInput) -> None:
    """Read the chip in a job, unless one already runs (a double submit: that read goes on) or
    the patron moved on meanwhile; only the verdict is kept, never what was read or typed."""
    running, ticket = kiosk(), session.ticket or ""
    timeout = current_app.config["KIOSK_DOCUMENT_TIMEOUT"]
    with _lock(session):
        if session.step != Step.ID_CHECK or current_job(session, "id_check") is not None:
            return
        session.data["id_attempts"] = session.data.get("id_attempts", 0) + 1
        start_job(session, "id_check", lambda: check_document(running, ticket, access, timeout))


@bp.get("/ophalen/lezen")
def reading() -> str | Response:
    """Hold the document flat on the reader while its chip is read."""
    session = patron_session()
    if session is None or current_job(session, "id_check") is None:
        return redirect(_where_now(session))
    return render_template("kiosk/collect/reading.html")


@bp.get("/ophalen/lezen/status")
def poll_reading() -> Response:
    """Polled while the chip is read: on to the blank card, back to the form, or the desk."""
    session = patron_session()
    job = current_job(session, "id_check") if session else None
    if session is None or job is None or session.step != Step.ID_CHECK:
        return _poll(go=_where_now(session))
    if not job.done.is_set():
        return _poll()
    session.data.pop("job:id_check")
    return _poll(go=_after_reading(session, job))


def _after_reading(session: PatronSession, job: Job) -> str:
    """The page after the chip read, by the portal's verdict."""
    if isinstance(job.error, PortalUnavailable):
        raise job.error
    result: IdCheckResult | None = job.result
    if result is not None and result.verified:
        session.move(Step.BLANK_CARD)
        return url_for("collect.blank_card")
    if result is not None and result.may_retry(session.data.get("id_attempts", 0)):
        return url_for("collect.verify_id", problem=result.problem)
    return _to_desk(session, result.reason if result else None)


def _to_desk(session: PatronSession, reason: DeskReason | None) -> str:
    """Self-service ends here: the desk helps further."""
    session.data["desk_reason"] = reason or DeskReason.UNREADABLE
    session.move(Step.DESK)
    return url_for("collect.desk")


@bp.get("/ophalen/balie")
def desk() -> str | Response:
    """Please go to the desk; nothing changed on the account."""
    session = patron_session()
    if session is None or session.step != Step.DESK:
        return redirect(_where_now(session))
    return render_template("kiosk/collect/desk.html", reason=session.data.get("desk_reason"))


# The blank card ----------------------------------------------------------------------------


@bp.route("/ophalen/nieuwe-pas", methods=["GET", "POST"])
def blank_card() -> str | Response:
    """Take a blank card and hold it on the reader; it is encoded while the page shows how."""
    session = patron_session()
    if session is None or session.step != Step.BLANK_CARD:
        return redirect(_where_now(session))
    job = current_job(session, "encode")
    if job is None or (request.method == "POST" and job.done.is_set()):
        _start_encoding(session)
        return redirect(url_for("collect.blank_card"), code=303)
    timed_out = job.done.is_set() and isinstance(job.error, CardTimeout)
    status = ENCODE_STATUS[session.data["encoder"].progress.status]
    return render_template("kiosk/collect/blank_card.html", timed_out=timed_out, status=status)


def _start_encoding(session: PatronSession) -> None:
    """Encode a blank card in a job (the reader is the job's until it ends)."""
    timeout = current_app.config["KIOSK_BLANK_CARD_TIMEOUT"]
    encoder = CardEncoder(kiosk(), session, timeout)
    session.data["encoder"] = encoder
    start_job(session, "encode", encoder.run)


@bp.get("/ophalen/nieuwe-pas/status")
def poll_card() -> Response:
    """Polled while encoding: what happens now, and where to go when it is over."""
    session = patron_session()
    job = current_job(session, "encode") if session else None
    if session is None or job is None or session.step != Step.BLANK_CARD:
        return _poll(go=_where_now(session))
    if not job.done.is_set():
        return _poll(status=str(ENCODE_STATUS[session.data["encoder"].progress.status]))
    if isinstance(job.error, CardTimeout):
        return _poll(go=url_for("collect.blank_card"))
    # Two pages may poll as encoding ends (one reloaded): only the first moves the session on.
    with _lock(session):
        if session.step != Step.BLANK_CARD:
            return _poll(go=_where_now(session))
        return _poll(go=_after_encoding(session, job))


def _after_encoding(session: PatronSession, job: Job) -> str:
    """The slip after a linked card; the desk (or start) when encoding could not go on."""
    if isinstance(job.error, PortalUnavailable):
        raise job.error
    if isinstance(job.error, SessionGone):
        return url_for("start.home")
    if isinstance(job.error, CardNotLinked):
        return _to_desk(session, DeskReason.NOT_LINKED)
    if isinstance(job.error, PortalRefused) and job.error.code in SUBSCRIPTION_REFUSALS:
        return _to_desk(session, SUBSCRIPTION_REFUSALS[job.error.code])
    if job.error is not None:
        return _to_desk(session, DeskReason.CARD)
    _finish_card(session, job.result)
    return url_for("collect.done")


def _finish_card(session: PatronSession, answer: dict[str, Any]) -> None:
    """The card is linked: print the slip (or keep it to show) with the new number."""
    replaced = (session.patron or {}).get("number", "")
    session.patron = answer["patron"]
    session.move(Step.CARD_DONE)
    running = kiosk()
    slip = new_card_slip(
        current_app.config,
        running.heartbeat.known_branch(),
        session.patron,
        replaced,
        running.clock.now(),
    )
    printed = print_receipt(running.devices, slip)
    if not printed:
        running.heartbeat.report_now()
    session.data["slip"] = (slip, printed)
    # Done with this card: a next one in the same session (this one lost) starts afresh, and
    # this one may be blocked in turn.
    for done in ("encoder", "job:encode", "blocked", "id_attempts"):
        session.data.pop(done, None)


@bp.get("/ophalen/klaar")
def done() -> str | Response:
    """Your card is ready: the new number, and the slip if it could not be printed."""
    session = patron_session()
    if session is None or session.step != Step.CARD_DONE:
        return redirect(_where_now(session))
    slip, printed = session.data["slip"]
    email_known = bool((session.patron or {}).get("email_known"))
    return render_template(
        "kiosk/collect/done.html", slip=slip, printed=printed, email_known=email_known
    )


@bp.post("/ophalen/klaar")
def to_patron() -> Response:
    """From the new card to the patron's screen."""
    session = patron_session()
    if session is not None and session.step == Step.CARD_DONE:
        session.move(Step.PATRON)
    return redirect(_where_now(session), code=303)
