"""Registering a guest patron at the desk (/balie/gastleners/nieuw, seed 003): scan their own
card, choose its library where the number leaves a choice, and the own library is asked; without
one to ask, the details are taken from the ID document and the guest is unverified."""

from dataclasses import replace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.extensions import db
from portal.forms import REQUIRED, add_error
from portal.refusals import refusal_message
from portal.signup.forms import personal_details
from portal.staff.guest_form import GuestCardForm, GuestDetailsForm
from portal.staff.registration import branch_choices
from portal.staff.roles import is_coordinator
from portal.staff.views import bp
from portal.wiring import home_libraries, now
from shared.catalogue.isil import libraries_for_card, library_of
from shared.desk import logins
from shared.desk.registration import home_branch, record_desk_id_check
from shared.errors import DomainError
from shared.guests.home_library import HomeCheck
from shared.guests.registration import HomeCard, Registered, ask_home, register_guest
from shared.signup.registration import PersonalDetails

# The field a refusal is shown at; the rest at the register button.
REFUSAL_FIELDS = {
    "guest_card_invalid": "card_number",
    "guest_unknown_at_home": "card_number",
    "guest_blocked_at_home": "card_number",
    "home_library_unavailable": "card_number",
    "guest_already_registered": "card_number",
    "unknown_branch": "branch",
    "login_not_found": "existing_login",
    "login_ambiguous": "existing_login",
    "login_other_person": "existing_login",
    "staff_login": "existing_login",
}


@bp.route("/gastleners/nieuw", methods=["GET", "POST"], endpoint="register_guest")
def register_guest_page() -> str | Response:
    """The card first; the library chosen; then the own library asked (or the ID document's
    details taken) and the guest registered."""
    form = GuestCardForm()
    details = GuestDetailsForm(prefix="d", meta={"csrf": False})
    form.branch.choices = branch_choices()
    if request.method == "POST" and form.validate_on_submit():
        new_card = bool(form.card_for.data) and form.card_for.data != form.card_number.data
        _choose_library(db.session(), form, new_card)
        if form.submit.data and form.isil.data and not new_card:
            registered = _register(form, details)
            if registered is not None:
                flash(_("%(name)s is registered as a guest.", name=registered.patron.display_name))
                number = registered.patron.customer_number
                return redirect(url_for("staff.patron", number=number), code=303)
        elif form.submit.data:
            at = form.isil if form.isil.choices else form.library_search
            add_error(at, _("Choose the library that issued the card."))
    return render_template("portal/staff/register_guest.html", form=form, details=details)


def _choose_library(session: Session, form: GuestCardForm, new_card: bool) -> None:
    """The choices of library for the card (a new number: what was chosen and asked for the
    one before is dropped); the only one the number leaves is chosen."""
    if new_card:
        form.isil.data, form.unverified.data, form.ask_birth_date.data = None, "", ""
    number, search = form.card_number.data or "", form.library_search.data or ""
    shown = libraries_for_card(session, number, search)
    chosen = library_of(session, form.isil.data) if form.isil.data else None
    if chosen and chosen not in shown:
        shown.append(chosen)
    form.isil.choices = [SelectChoice(c.isil, f"{c.organisation} ({c.isil})") for c in shown]
    by_number = libraries_for_card(session, number)
    if not form.isil.data and len(by_number) == 1:
        form.isil.data = by_number[0].isil
    form.card_for.data = number


def _register(form: GuestCardForm, details: GuestDetailsForm) -> Registered | None:
    """The guest registered and committed; None when refused (shown at its field) or when the
    details from the ID document are needed first."""
    card = HomeCard(form.isil.data or "", form.card_number.data or "")
    session = db.session()
    try:
        check = _dated(form, ask_home(session, home_libraries().for_isil(card.isil), card, now()))
        if check is not None and check.person is not None and check.person.birth_date is None:
            if form.ask_birth_date.raw_data and form.ask_birth_date.raw_data[0]:
                add_error(form.birth_date, REQUIRED)  # the field was shown and left empty
            return None
        if check is None and not form.unverified.data:
            form.unverified.data = "1"  # the own library cannot be asked: the ID document's
            return None
        entered = personal_details(details) if check is None and details.validate() else None
        if check is None and entered is None:
            return None
        registered = _registered(session, form, card, check, entered)
    except DomainError as error:
        session.rollback()
        name = REFUSAL_FIELDS.get(error.code, "submit")
        add_error(form._fields[name], refusal_message(error))
        return None
    session.commit()
    return registered


def _dated(form: GuestCardForm, check: HomeCheck | None) -> HomeCheck | None:
    """The own library's answer with the birth date from the ID document where it sends none
    (the field asked for, when it was not filled in yet)."""
    person = check.person if check else None
    if check is None or person is None or person.birth_date is not None:
        return check
    form.ask_birth_date.data = "1"
    if form.birth_date.data is None:
        return check
    return replace(check, person=replace(person, birth_date=form.birth_date.data))


def _registered(
    session: Session,
    form: GuestCardForm,
    card: HomeCard,
    check: HomeCheck | None,
    entered: PersonalDetails | None,
) -> Registered:
    """The registration itself, the ID check and the login linked, uncommitted."""
    staff = current_user._get_current_object()
    branch = home_branch(session, form.branch.data or "")
    found = register_guest(session, card, check, entered, branch, now(), staff)
    if form.id_checked.data:
        record_desk_id_check(session, staff, found.patron, now())
    if form.existing_login.data:
        account = logins.find_login(session, form.existing_login.data)
        logins.link(session, staff, found.patron, account.id, is_coordinator(), now())
    return found
