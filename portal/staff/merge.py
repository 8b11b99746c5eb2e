"""Merging duplicate records at the desk (*ontdubbelen*, /balie/klanten/<number>/samenvoegen):
choose the other record (its number, or one of the likely duplicates), compare both side by
side, choose per field what stays, and merge the other record into this one."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.i18n import current_language
from portal.refusals import refusal_message
from portal.staff import patron_words
from portal.staff.merge_form import MergeForm, Row, merge_form, rows_of
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import fresh_second_factor
from portal.staff.views import bp
from portal.wiring import now
from shared.desk import audit
from shared.desk.merge import Choice, merge_committing, refuse
from shared.desk.merge_sides import Side, duplicates_of, fingerprint, merged_record, side_of
from shared.desk.patron_numbers import with_main_cards
from shared.desk.patron_view import VIEWED
from shared.errors import DomainError
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron_by_any_number


@bp.get("/klanten/<number>/samenvoegen", endpoint="merge_choose")
def choose(number: str) -> str | Response:
    """Which record to merge into this one: a number typed or scanned, or a likely duplicate."""
    patron = patron_or_404(number)
    typed = request.args.get("met", "").strip()
    unknown = bool(typed) and find_patron_by_any_number(db.session(), typed) is None
    if typed and not unknown:
        return redirect(url_for("staff.merge_patrons", number=number, other=typed), code=303)
    found = duplicates_of(db.session(), patron)
    page = {"patron": patron, "number": number, "typed": typed, "unknown": unknown}
    return render_template("portal/staff/merge_choose.html", duplicates=found, **page)


@bp.route("/klanten/<number>/samenvoegen/<other>", methods=["GET", "POST"])
@fresh_second_factor()
def merge_patrons(number: str, other: str) -> str | Response:
    """Both records side by side with a choice per field that differs; merge when confirmed."""
    this = side_of(db.session(), patron_or_404(number))
    theirs = side_of(db.session(), patron_or_404(other))
    rows = rows_of(this, theirs)
    form, shown = merge_form(rows), fingerprint(this, theirs)
    refused = _refusal(this.patron, theirs.patron, other)
    changed = request.method == "POST" and form.shown.data != shown
    if refused is None and not changed and form.validate_on_submit():
        try:
            return _merged(other, this.patron, theirs.patron, form)
        except DomainError as error:
            refused = refusal_message(error)
    form.shown.data = shown  # what this page shows: sent again, it merges what was checked
    if request.method == "GET":
        for side in (this, theirs):
            audit.record(db.session(), current_user, VIEWED, now(), patron_id=side.patron.id)
    notice = refused or (_changed_words() if changed else None)
    page = _page(number, other, (this, theirs), rows, form, notice, blocked=refused is not None)
    db.session.commit()  # the looks (or nothing, after a refusal) once the page is made
    return page


def _changed_words() -> str:
    """What the desk is told when a record changed after the page was shown."""
    return refusal_message(DomainError("merge_changed"))


def _refusal(survivor: Patron, other: Patron, typed: str) -> str | None:
    """Why these records cannot be merged, in words; None when they can."""
    try:
        if (merged := merged_record(db.session(), typed)) is not None:
            raise DomainError("merge_already_merged", number=merged.customer_number)
        refuse(db.session(), survivor, other, now(), current_language())
    except DomainError as error:
        return refusal_message(error)
    return None


def _merged(gone: str, survivor: Patron, other: Patron, form: MergeForm) -> Response:
    """Merge as chosen, and show the record that stays."""
    choice = Choice(form.taken(), form.shown.data or "", current_language())
    merge_committing(db.session(), current_user, survivor, other, choice, now())
    flash(_("%(number)s is merged into this record.", number=gone), "success")
    (stays,) = with_main_cards(db.session(), [survivor.id])  # its main card may be the other's
    return redirect(url_for("staff.patron", number=stays.number), code=303)


def _page(
    number: str,
    other: str,
    sides: tuple[Side, Side],
    rows: list[Row],
    form: MergeForm,
    notice: str | None,
    blocked: bool,
) -> str:
    """The comparison page: with the merge button unless `blocked` (a refusal, in `notice`)."""
    context = {"sides": sides, "rows": rows, "form": form, "words": patron_words}
    context |= {"notice": notice, "blocked": blocked}
    return render_template("portal/staff/merge.html", number=number, other=other, **context)
