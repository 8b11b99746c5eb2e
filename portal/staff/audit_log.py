"""The audit log for coordinators (/balie/audit)."""

from flask import render_template, request

from portal.extensions import db
from portal.staff import patron_words
from portal.staff.roles import coordinator_only
from portal.staff.views import bp
from shared.desk.audit import PAGE
from shared.desk.audit_listing import audit_listing, changes


@bp.get("/audit")
@coordinator_only
def audit() -> str:
    """The newest audit entries, of one staff member and/or patron when asked."""
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


__all__ = ["audit", "bp"]
