"""Registering a patron at the desk (/balie/klanten/nieuw), with the duplicate check and the
cost build-up gone through with the patron."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import flash, redirect, render_template, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.extensions import db
from portal.forms import add_error
from portal.i18n import current_language
from portal.refusals import refusal_message
from portal.signup.forms import personal_details
from portal.staff.registration_form import DeskRegistrationForm
from portal.staff.views import bp
from portal.wiring import mail_settings, now
from shared.catalogue.costs import Costs
from shared.desk.patron_numbers import Found, with_main_cards
from shared.desk.registration import (
    INSTITUTION_BIRTH_DATE,
    DeskRegistration,
    register_patron,
)
from shared.desk.subscriptions import desk_selections, desk_subscriptions
from shared.errors import DomainError
from shared.models.catalogue import Branch

# Likely duplicates listed at most: more means the details say too little (a common name at a
# busy address); the desk is told how many there are.
SHOWN = 20


@dataclass(frozen=True)
class Duplicates:
    """The likely duplicates shown (with their main cards) and how many were found."""

    shown: list[Found] = field(default_factory=list)
    count: int = 0


@dataclass(frozen=True)
class Shown:
    """What the page shows before a patron is made: the likely duplicates, or the costs to go
    through with the patron."""

    duplicates: Duplicates = field(default_factory=Duplicates)
    costs: Costs | None = None


# The field a refusal is shown at (text refusals name their field themselves).
REFUSAL_FIELDS = {
    "first_name_required": "first_name",
    "unknown_gender": "gender",
    "unknown_branch": "branch",
    "youth_subscription_only": "subscription",
    "subscription_required": "subscription",
    "subscription_not_at_desk": "subscription",
    "age_outside_band": "subscription",
    "age_below_minimum": "subscription",
    "youth_free": "subscription",
    "subscription_held": "subscription",
    "subscription_had_once": "subscription",
    "unknown_selection": "selection",
    "selection_required": "selection",
    "login_needs_email": "library_email",
    "has_login": "login",
    "card_number_invalid": "card_number",
    "card_number_taken": "card_number",
    "card_not_needed_here": "card_number",
    "subscription_not_valid": "card_number",
}


@bp.route("/klanten/nieuw", methods=["GET", "POST"], endpoint="register_patron")
def register() -> str | Response:
    """The form for a new patron; likely duplicates, and costs of more than the price, are
    shown before one is made."""
    form = DeskRegistrationForm()
    _fill_choices(form)
    shown = Shown()
    if form.validate_on_submit():
        try:
            patron = register_patron(
                db.session(), _entered(form), current_user, mail_settings(), now()
            )
        except DomainError as error:
            db.session.rollback()
            shown = _refused(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=patron.display_name))
            (found,) = with_main_cards(db.session(), [patron.id])
            return redirect(url_for("staff.patron", number=found.number), code=303)
    return render_template(
        "portal/staff/register.html", form=form, duplicates=shown.duplicates, costs=shown.costs
    )


def _fill_choices(form: DeskRegistrationForm) -> None:
    """The branches, the subscriptions the desk gives with their prices (youth is chosen by
    age), and the selection codes."""
    locale = current_language()
    form.branch.choices = branch_choices()
    form.subscription.choices = [SelectChoice("", _("Youth: chosen by age"))] + [
        SelectChoice(
            kind.code, f"{kind.name(locale)} ({kind.code}), {format_currency(kind.price, 'EUR')}"
        )
        for kind in desk_subscriptions(db.session())
    ]
    form.selection.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(selection.code, selection.name(locale))
        for selection in desk_selections(db.session())
    ]


def branch_choices() -> list[SelectChoice]:
    """The catalogue's branches by name, after a choice of none."""
    branches = db.session.scalars(select(Branch).order_by(Branch.name))
    return [SelectChoice("", _("Choose a branch"))] + [
        SelectChoice(b.code, b.name) for b in branches
    ]


def _entered(form: DeskRegistrationForm) -> DeskRegistration:
    """What the desk entered, as the service takes it."""
    details = personal_details(form)
    if form.birth_date.data is None:  # an institution: the service sets its birth date
        details = replace(details, birth_date=INSTITUTION_BIRTH_DATE)
    return DeskRegistration(
        details=details,
        branch_code=form.branch.data or "",
        subscription_code=form.subscription.data or "",
        id_checked=bool(form.id_checked.data),
        login=bool(form.login.data),
        card_number=form.card_number.data or "",
        passed_duplicates=form.passed(),
        selection_code=form.selection.data or "",
        agreed_total=form.agreed(),
    )


def _refused(form: DeskRegistrationForm, error: DomainError) -> Shown:
    """The likely duplicates (the first SHOWN of them read), all remembered in the form to be
    passed; or the costs, their total remembered to be agreed; any other refusal is shown at
    its field."""
    if error.code == "likely_duplicates":
        ids = error.params["patrons"]
        form.passed_duplicates.data = ",".join(str(n) for n in ids)
        return Shown(duplicates=Duplicates(with_main_cards(db.session(), ids[:SHOWN]), len(ids)))
    if error.code == "costs_to_agree":
        form.agreed_total.data = str(error.params["total"])
        return Shown(costs=error.params["costs"])
    add_error(refused_field(form, error, REFUSAL_FIELDS), refusal_message(error))
    return Shown()


def refused_field(
    form: DeskRegistrationForm, error: DomainError, fields: Mapping[str, str]
) -> Field:
    """The field to show a refusal at: the one it names, else the one `fields` gives its code,
    else the submit button's."""
    name = error.params.get("field") or fields.get(error.code, "submit")
    return form._fields.get(name, form.submit)
