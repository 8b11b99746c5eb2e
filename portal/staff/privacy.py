"""Privacy at the desk (AVG): everything held about a patron, to download as JSON or read and
print as a page (*inzageverzoek*); and erasing a patron who asks for it (coordinators, with a
fresh second factor). Each is in the audit log."""

import json
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms import BooleanField
from wtforms.validators import DataRequired

from portal.extensions import db
from portal.forms import PortalForm
from portal.refusals import refusal_message
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import coordinator_only, fresh_second_factor, is_coordinator
from portal.staff.views import bp
from portal.wiring import now
from shared.desk import audit
from shared.models.patron import Patron
from shared.privacy.erasure import AlreadyErased, ErasureRefused, erase, erasure_refusals
from shared.privacy.export import EXPORTED, export
from shared.privacy.holdings import merged_into

# The export's kinds of record in the order and words of the readable page.
TITLES = {
    "personal_data": _l("Personal data"),
    "merged_records": _l("Duplicate records merged into this one"),
    "login_account": _l("Login account"),
    "cards": _l("Cards"),
    "subscriptions": _l("Subscriptions"),
    "subscription_changes": _l("Changes of subscription"),
    "membership_steps": _l("Renewal steps"),
    "letters": _l("Letters"),
    "ledger": _l("Ledger"),
    "payments": _l("Payments"),
    "refunds": _l("Refunds"),
    "chargebacks": _l("Chargebacks"),
    "mandates": _l("Direct-debit mandates"),
    "id_checks": _l("ID checks at a kiosk"),
    "desk_id_checks": _l("ID checks at the desk"),
    "registration": _l("Online signup"),
    "mails": _l("Mails"),
    "online_services": _l("Online services allowed"),
    "audit_entries": _l("Staff actions"),
}


@bp.app_context_processor
def privacy_roles() -> dict[str, object]:
    """The patron screen offers erasing to coordinators only."""
    return {"may_erase": is_coordinator}


class EraseForm(PortalForm):
    """The coordinator's confirmation that the patron asked to be erased."""

    asked = BooleanField(
        _l("The patron asked to be erased, and I checked their identity"),
        validators=[DataRequired(_l("Tick this to confirm the request."))],
    )


@bp.get("/klanten/<number>/inzage.json", endpoint="privacy_json")
def export_json(number: str) -> Response:
    """Everything held about the patron as a JSON file to hand over."""
    patron = patron_or_404(number)
    body = json.dumps(_exported(patron, "json"), indent=2, ensure_ascii=False)
    db.session.commit()
    name = f"inzage-{number}.json"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/klanten/<number>/inzage", endpoint="privacy_page")
def export_page(number: str) -> str:
    """Everything held about the patron as a page to read, or print to PDF from the browser."""
    patron = patron_or_404(number)
    page = render_template(
        "portal/staff/privacy_export.html",
        patron=patron,
        number=number,
        document=_exported(patron, "html"),
        titles=TITLES,
        made_at=now(),
        years=current_app.config["BOOKKEEPING_RETENTION_YEARS"],
    )
    db.session.commit()  # the audit entry once the page is made
    return page


def _exported(patron: Patron, form: str) -> dict[str, Any]:
    """The patron's export, recorded in the audit log as handed out in this form."""
    document = export(db.session(), patron, now())
    audit.record(
        db.session(), current_user, EXPORTED, now(), patron_id=patron.id, after={"format": form}
    )
    return document


@bp.route("/klanten/<number>/wissen", methods=["GET", "POST"], endpoint="erase_patron")
@coordinator_only
@fresh_second_factor()
def erase_patron(number: str) -> str | Response | tuple[str, int]:
    """Why the patron cannot be erased yet, or the form that erases them."""
    patron = patron_or_404(number)
    refusals = erasure_refusals(db.session(), patron, now())
    form = EraseForm()
    failed = False
    if not refusals and form.validate_on_submit():
        try:
            erase(db.session(), patron, current_user, now())
            db.session.commit()
        except AlreadyErased as done:  # a second submit, waiting for the first
            db.session.rollback()
            flash(refusal_message(done.reasons[0]), "success")
            return redirect(url_for("staff.find_patrons"), code=303)
        except ErasureRefused as refused:  # something changed since the page was shown
            db.session.rollback()
            refusals = refused.reasons
        except SQLAlchemyError:  # rolled back whole, said so; logged for the administrator
            db.session.rollback()
            current_app.logger.exception("erasing patron %s failed", number)
            failed = True
        else:
            flash(_("The patron is erased. Their payments are kept without them."), "success")
            return redirect(url_for("staff.find_patrons"), code=303)
    reasons = [refusal_message(reason) for reason in refusals]
    merged = [record.customer_number for record in merged_into(db.session(), patron)]
    context = {"patron": patron, "number": number, "form": form, "reasons": reasons}
    context["merged"] = merged
    page = render_template("portal/staff/privacy_erase.html", failed=failed, **context)
    return (page, 503) if failed else page
