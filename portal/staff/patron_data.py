"""Changing a patron's data at the desk (/balie/klanten/<number>/gegevens): address, names,
e-mail, phone, branch, language and newsletter. A new e-mail address counts once the patron
confirms it; a change someone saved since the page was shown is never overwritten."""

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import add_error
from portal.refusals import refusal_message
from portal.staff.patron_data_form import PatronDataForm
from portal.staff.patron_pages import patron_or_404
from portal.staff.registration import branch_choices, refused_field
from portal.staff.views import bp
from portal.wiring import mail_settings, now
from shared.desk import audit
from shared.desk.patron_data import Changed, change_patron_data, data_of, fingerprint
from shared.desk.patron_view import VIEWED
from shared.errors import DomainError
from shared.models.patron import Patron

PAGE = "portal/staff/patron_data.html"
# The field a refusal is shown at (text refusals name their field themselves).
REFUSAL_FIELDS = {
    "first_name_required": "first_name",
    "unknown_branch": "branch",
    "unknown_language": "language",
    "newsletter_from_16": "newsletter",
}


@bp.route("/klanten/<number>/gegevens", methods=["GET", "POST"], endpoint="change_patron_data")
def change_data(number: str) -> str | Response:
    """The patron's data in a form; changed when it is sent valid."""
    patron = patron_or_404(number)
    shown = data_of(patron)
    form = PatronDataForm(patron, data=asdict(shown))
    form.branch.choices = branch_choices()
    if request.method == "GET":
        form.seen.data = fingerprint(shown)
        audit.record(db.session(), current_user, VIEWED, now(), patron_id=patron.id)
    elif form.validate_on_submit() and (done := _change(number, patron, form)) is not None:
        return done
    page = render_template(PAGE, number=number, patron=patron, form=form)
    db.session.commit()  # the look (or nothing, after a refusal) once the page is made
    return page


def _change(number: str, patron: Patron, form: PatronDataForm) -> Response | None:
    """Change the data as the valid form asks: to the patron screen; again to this page when
    someone changed the data meanwhile; None to show a refusal at its field."""
    try:
        changed = change_patron_data(
            db.session(),
            current_user,
            patron,
            form.wanted(),
            form.seen.data or "",
            mail_settings(),
            now(),
        )
    except DomainError as error:
        db.session.rollback()
        if error.code == "patron_changed_meanwhile":
            flash(refusal_message(error), "error")
            return redirect(url_for("staff.change_patron_data", number=number), code=303)
        add_error(refused_field(form, error, REFUSAL_FIELDS), refusal_message(error))
        return None
    db.session.commit()
    flash(_done_words(patron, changed), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


def _done_words(patron: Patron, changed: Changed) -> str:
    """What the desk is told once the data is saved (or was the same)."""
    if not changed.after:
        return _("Nothing was changed: the details were the same.")
    saved = _("The details of %(name)s are saved.", name=patron.display_name)
    new_email = changed.after.get("pending_library_email")
    if not new_email:
        return saved
    waiting = _(
        "%(email)s is used once the patron confirms it with the link mailed there (valid for"
        " 24 hours); until then the library mails as before.",
        email=new_email,
    )
    return f"{saved} {waiting}"
