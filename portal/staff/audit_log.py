"""The audit log for coordinators (/balie/audit)."""

from flask import abort, render_template, request
from flask_login import current_user

from portal.extensions import db
from portal.staff import patron_words
from portal.staff.views import bp
from shared.accounts.staff import staff_member
from shared.desk.audit import PAGE
from shared.desk.audit_listing import audit_listing, changes
from shared.models.staff import StaffRole


@bp.get("/audit")
def audit() -> str:
    """The newest audit entries, of one staff member and/or patron when asked."""
    _coordinator()
    staff = request.args.get("staff", "").strip()
    patron = request.args.get("patron", "").strip()
    return render_template(
        "portal/staff/audit.html",
        listing=audit_listing(db.session(), staff=staff, patron=patron),
        staff=staff,
        patron=patron,
        changes=changes,
        action_words=patron_words.action_words,
        limit=PAGE,
    )


def _coordinator() -> None:
    """Refuse (403) a staff member who is not a coordinator."""
    # Until the staff roles' own check is merged (coordinator_only); then use that one.
    member = staff_member(db.session(), current_user)
    if member is None or member.role != StaffRole.COORDINATOR:
        abort(403)


__all__ = ["audit", "bp"]
