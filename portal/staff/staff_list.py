"""The staff list for coordinators (/balie/medewerkers): who has a staff login, with what role."""

from flask import render_template
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.staff.roles import coordinator_only, fresh_second_factor
from portal.staff.views import bp
from shared.accounts.staff import staff_members
from shared.models.staff import StaffRole

ROLE_WORDS = {StaffRole.DESK: _l("Desk"), StaffRole.COORDINATOR: _l("Coordinator")}


@bp.get("/medewerkers")
@coordinator_only
@fresh_second_factor()
def staff_list() -> str:
    """Every staff member: username, e-mail, role, whether the second factor is set up, and
    the last login (managing staff starts here, so it asks for a recent code)."""
    return render_template(
        "portal/staff/staff_list.html", members=staff_members(db.session()), roles=ROLE_WORDS
    )
