"""Waiving a charge at the desk (/balie/klanten/<number>/kwijtschelden): one open charge let go
with a reason; a desk member up to DESK_WAIVE_LIMIT, a coordinator any amount."""

from collections.abc import Callable
from decimal import Decimal

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, format_currency
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import add_error, required_text
from portal.refusals import refusal_message
from portal.staff.desk_choice import at_desk
from portal.staff.money_forms import WaiveForm
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import is_coordinator
from portal.staff.views import bp
from portal.wiring import now
from shared.desk.waivers import waive_charge
from shared.errors import DomainError
from shared.models.patron import Patron
from shared.payments import ledger

# The field a refusal is shown at; any other at the charge.
REFUSAL_FIELDS = {"waive_reason_required": "reason", "text_too_long": "reason"}


@bp.route("/klanten/<number>/kwijtschelden", methods=["GET", "POST"], endpoint="waive_charge")
def waive(number: str) -> str | Response:
    """The patron's open charges, and the form to waive one of them with a reason."""
    patron = patron_or_404(number)
    at = at_desk()
    if isinstance(at, Response):
        return at
    charges = ledger.open_charges(db.session(), patron.id)
    form = WaiveForm()
    shown = [(c.key, f"{c.description}: {format_currency(c.amount, 'EUR')}") for c in charges]
    form.charge.choices = shown
    if form.validate_on_submit():
        try:
            waived = waive_charge(
                db.session(),
                at,
                patron,
                form.charge.data or "",
                required_text(form.reason),
                waive_limit(),
                _describer(patron),
                now(),
            )
        except DomainError as error:
            db.session.rollback()
            add_error(form[REFUSAL_FIELDS.get(error.code, "charge")], refusal_message(error))
        else:
            db.session.commit()
            amount = format_currency(waived.amount, "EUR")
            flash(_("%(amount)s is waived.", amount=amount), "success")
            return redirect(url_for("staff.patron", number=number, _anchor="ledger"), code=303)
    context = {"charges": charges, "limit": waive_limit(), "desk": at.desk}
    return render_template(
        "portal/staff/waive.html", patron=patron, number=number, form=form, **context
    )


def waive_limit() -> Decimal | None:
    """What this staff member may waive of one charge: None (any amount) for a coordinator."""
    return None if is_coordinator() else current_app.config["DESK_WAIVE_LIMIT"]


def _describer(patron: Patron) -> Callable[[str], str]:
    """The waiver's ledger line, in the patron's language: what it lets go."""

    def describe(charge: str) -> str:
        """The line's words for this charge."""
        with force_locale(patron.locale):
            return _("Waived: %(charge)s", charge=charge)

    return describe
