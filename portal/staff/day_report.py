"""The day report for the cash drawer (/balie/dagrapport): per desk and per branch, what was
taken by which means, waived and refunded on one day; printable."""

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.refusals import refusal_message
from portal.staff.desk_choice import current_desk
from portal.staff.patron_words import METHOD_WORDS
from portal.staff.views import bp
from portal.wiring import now
from shared.desk.day_report import day_report
from shared.desk.desks import list_desks
from shared.errors import DomainError
from shared.models.catalogue import Branch
from shared.timeutil import local_today

PAGE = "portal/staff/day_report.html"


@bp.get("/dagrapport", endpoint="day_report")
def report() -> tuple[str, int] | str:
    """The report of the day asked (`datum`, default today), of a branch (`vestiging`, default
    the branch of the desk chosen) or one desk (`balie`)."""
    day = _day(request.args.get("datum", ""))
    desk = current_desk()
    chosen = desk.branch.code if desk else ""
    desk_code = request.args.get("balie") or None
    branch = request.args.get("vestiging", "" if desk_code else chosen) or None
    context = {
        "desks": list_desks(db.session()),
        "branches": db.session.scalars(select(Branch).order_by(Branch.code)).all(),
        "words": METHOD_WORDS,
        "day": day,
        "branch": branch or "",
        "desk_code": desk_code or "",
    }
    if day is None:
        return render_template(PAGE, refused=_("Type a date such as 2026-12-05."), **context), 400
    try:
        found = day_report(db.session(), day, branch, desk_code)
    except DomainError as error:
        return render_template(PAGE, refused=refusal_message(error), **context), 404
    return render_template(PAGE, report=found, **context)


def _day(typed: str) -> date | None:
    """The day asked (YYYY-MM-DD), today in Amsterdam when none; None when it is no date."""
    if not typed:
        return local_today(now())
    try:
        return date.fromisoformat(typed)
    except ValueError:
        return None
