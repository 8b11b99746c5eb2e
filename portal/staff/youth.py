"""Moving a youth member on at the desk before the 19th birthday (seed 002: a youth member
may move to an adult subscription earlier): the one the catalogue names next starts today,
the youth subscription ended yesterday, and the patron is told as on the birthday."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.i18n import current_language
from portal.refusals import refusal_message
from portal.staff.patron_pages import patron_or_404
from portal.staff.views import bp
from portal.wiring import mail_settings, now, renewal_rules
from shared.desk.audit import record
from shared.errors import DomainError
from shared.memberships.renewal import Renewal, tell
from shared.memberships.youth import MOVED_ON, move_now
from shared.models.membership import Step
from shared.models.patron import Patron, Subscription
from shared.patrons.subscriptions import current_subscription
from shared.timeutil import local_today


@bp.post("/klanten/<number>/jeugd-overzetten")
def move_youth_on(number: str) -> Response:
    """Move the patron's youth subscription on now; back to the patron screen."""
    patron = patron_or_404(number)
    try:
        successor = _moved_on(patron)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
    else:
        name = successor.type.name(current_language())
        flash(_("The youth subscription has ended; %(name)s starts today.", name=name), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


def _moved_on(patron: Patron) -> Subscription:
    """Move the current (youth) subscription on, tell the patron, and audit it."""
    youth = current_subscription(patron)
    if youth is None:
        raise DomainError("not_youth")
    before = {"subscription": youth.type_code, "end_date": youth.end_date.isoformat()}
    successor = move_now(db.session(), youth, now())
    day = Renewal(local_today(now()), now(), renewal_rules(), mail_settings())
    tell(db.session(), successor, Step.MOVED, day)
    after = {"subscription": successor.type_code, "start_date": successor.start_date.isoformat()}
    record(db.session(), current_user, MOVED_ON, now(), patron.id, before, after)
    return successor
