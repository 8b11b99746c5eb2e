"""The patron screen (/balie/klanten/<number>): everything about one patron."""

from flask import render_template
from flask_login import current_user

from portal.extensions import db
from portal.staff import patron_words
from portal.staff.views import OUTCOME_WORDS, bp, document_words
from portal.wiring import now
from shared.desk.audit_listing import changes
from shared.desk.patron_view import BlockReason, view_patron


@bp.get("/klanten/<number>")
def patron(number: str) -> str | tuple[str, int]:
    """The patron with this number (card, also a lost or replaced one, temporary or system
    number); the look is recorded in the audit log."""
    screen = view_patron(db.session(), current_user, number, now())
    if screen is None:
        return render_template("portal/staff/patron_unknown.html", number=number), 404
    page = render_template(
        "portal/staff/patron.html",
        screen=screen,
        words=patron_words,
        BlockReason=BlockReason,
        outcome_words=OUTCOME_WORDS,
        document_words=document_words,
        changes=changes,
    )
    # Rendered before the commit (which would expire every row read), and shown only once the
    # look at the patron is in the audit log.
    db.session.commit()
    return page


__all__ = ["bp", "patron"]
