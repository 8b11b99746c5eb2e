"""Which desk a staff member works at (/balie/balie-kiezen): chosen once per staff session,
the first time money is taken, kept in the session and changeable; every money action records
it."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired

from portal.extensions import db
from portal.forms import PortalForm
from portal.staff.views import bp
from shared.desk.desks import list_desks
from shared.desk.money import AtDesk
from shared.models.desk import Desk
from shared.redirects import safe_path

DESK = "desk_id"  # the session's key


class DeskForm(PortalForm):
    """One of the desks."""

    desk = RadioField(_l("Desk"), validators=[InputRequired(_l("Choose the desk you work at."))])
    next = HiddenField()


@bp.route("/balie-kiezen", methods=["GET", "POST"], endpoint="choose_desk")
def choose_desk() -> str | Response:
    """The desks to choose from; chosen, back to where money was to be taken."""
    desks = list_desks(db.session())
    form = DeskForm(next=request.args.get("next", ""))
    form.desk.choices = [(str(d.id), f"{d.name} ({d.branch.name})") for d in desks]
    if form.validate_on_submit():
        session[DESK] = int(form.desk.data or 0)
        flash(_("You work at %(desk)s now.", desk=_desk_name(desks)), "success")
        return redirect(safe_path(form.next.data) or url_for("staff.find_patrons"), code=303)
    form.desk.data = form.desk.data or (str(session[DESK]) if DESK in session else None)
    return render_template("portal/staff/choose_desk.html", form=form, desks=desks)


def _desk_name(desks: list[Desk]) -> str:
    """The name of the desk chosen."""
    return next(d.name for d in desks if d.id == session[DESK])


def current_desk() -> Desk | None:
    """The desk chosen in this staff session, if any (and still there)."""
    return db.session.get(Desk, session[DESK]) if DESK in session else None


def at_desk() -> AtDesk | Response:
    """The staff login at its desk; to the desk choice first (and back) when none is chosen."""
    desk = current_desk()
    if desk is None:
        return redirect(url_for("staff.choose_desk", next=request.full_path.rstrip("?")))
    return AtDesk(current_user, desk)
