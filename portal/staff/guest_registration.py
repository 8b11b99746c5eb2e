"""Registering a guest patron at the desk (/balie/gastleners/nieuw, seed 003): scan their own
card, choose its library where the number leaves a choice, and the own library is asked; without
one to ask, the details are taken from the ID document and the guest is unverified."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.extensions import db
from portal.forms import add_error
from portal.refusals import refusal_message
from portal.signup.forms import personal_details
from portal.staff.guest_form import GuestCardForm, GuestDetailsForm
from portal.staff.registration import branch_choices
from portal.staff.roles import is_coordinator
from portal.staff.views import bp
from portal.wiring import home_libraries, now
from shared.catalogue.isil import Candidate, library_of, lookup, search_libraries
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


@dataclass(frozen=True)
class Libraries:
    """The libraries that may have issued the card: by its number, and found by name."""

    by_number: list[Candidate]
    by_name: list[Candidate]


@bp.route("/gastleners/nieuw", methods=["GET", "POST"], endpoint="register_guest")
def register_guest_page() -> str | Response:
    """The card first; the library chosen; then the own library asked (or the ID document's
    details taken) and the guest registered."""
    form = GuestCardForm()
    details = GuestDetailsForm(prefix="d", meta={"csrf": False})
    form.branch.choices = branch_choices()
    libraries = Libraries([], [])
    if request.method == "POST" and form.validate_on_submit():
        libraries = _libraries(db.session(), form)
        if form.submit.data and form.isil.data:
            registered = _register(form, details)
            if registered is not None:
                flash(_("%(name)s is registered as a guest.", name=registered.patron.display_name))
                number = registered.patron.customer_number
                return redirect(url_for("staff.patron", number=number), code=303)
        elif form.submit.data:
            add_error(form.isil, _("Choose the library that issued the card."))
    return render_template(
        "portal/staff/register_guest.html", form=form, details=details, libraries=libraries
    )


def _libraries(session: Session, form: GuestCardForm) -> Libraries:
    """The choices of library: those of the number's prefix, those found by name, and the one
    chosen before; the only one of the number chosen when nothing was."""
    try:
        by_number = lookup(session, form.card_number.data or "").candidates
    except ValueError:  # not digits: its library is found by name
        by_number = []
    by_name = search_libraries(session, form.library_search.data or "")
    chosen = library_of(session, form.isil.data) if form.isil.data else None
    shown = _unique([*by_number, *by_name, *([chosen] if chosen else [])])
    form.isil.choices = [SelectChoice(c.isil, f"{c.organisation} ({c.isil})") for c in shown]
    if not form.isil.data and len(by_number) == 1:
        form.isil.data = by_number[0].isil
    return Libraries(by_number, by_name)


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    """Each library once, in order."""
    return list({candidate.isil: candidate for candidate in candidates}.values())


def _register(form: GuestCardForm, details: GuestDetailsForm) -> Registered | None:
    """The guest registered and committed; None when refused (shown at its field) or when the
    details from the ID document are needed first."""
    card = HomeCard(form.isil.data or "", form.card_number.data or "")
    session = db.session()
    try:
        check = ask_home(home_libraries().for_isil(card.isil), card, now())
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
