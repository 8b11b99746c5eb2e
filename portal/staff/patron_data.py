"""Changing a patron's data at the desk (/balie/klanten/<number>/gegevens): address, names,
e-mail, phone, branch, language and newsletter. A new e-mail address counts once the patron
confirms it; a change someone saved since the page was shown is never overwritten."""

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import add_error
from portal.refusals import refusal_message
from portal.staff.patron_data_form import PatronDataForm
from portal.staff.patron_pages import patron_or_404
from portal.staff.registration import branch_choices, refused_field
from portal.staff.views import bp
from portal.wiring import mail_settings, now
from shared.accounts.email_change import waiting_link_expired
from shared.desk import audit
from shared.desk.patron_data import Changed, change_patron_data, data_of, fingerprint
from shared.desk.patron_view import VIEWED, guest_view
from shared.errors import DomainError
from shared.mail.patron_mail import patron_email
from shared.models.guest import Verification
from shared.models.patron import Patron

PAGE = "portal/staff/patron_data.html"
# The field a refusal is shown at (text refusals name their field themselves).
REFUSAL_FIELDS = {
    "first_name_required": "first_name",
    "unknown_branch": "branch",
    "unknown_language": "language",
    "newsletter_from_16": "newsletter",
}


@bp.route("/klanten/<number>/gegevens", methods=["GET", "POST"], endpoint="change_patron_data")
def change_data(number: str) -> str | Response:
    """The patron's data in a form; changed when it is sent valid."""
    patron = patron_or_404(number)
    shown = data_of(patron)
    form = PatronDataForm(patron, data=asdict(shown))
    form.branch.choices = branch_choices()
    guest = guest_view(db.session(), patron, now())
    if guest is not None and guest.home.verification == Verification.VERIFIED:
        form.hold_personal(shown)
    if request.method == "GET":
        form.seen.data = fingerprint(shown)
        audit.record(db.session(), current_user, VIEWED, now(), patron_id=patron.id)
    elif form.validate_on_submit() and (done := _change(number, patron, form)) is not None:
        return done
    hint = email_hint(patron)
    page = render_template(
        PAGE, number=number, patron=patron, form=form, email_hint=hint, guest=guest
    )
    db.session.commit()  # the look (or nothing, after a refusal) once the page is made
    return page


def _change(number: str, patron: Patron, form: PatronDataForm) -> Response | None:
    """Change the data as the valid form asks: to the patron screen; again to this page when
    someone changed the data meanwhile; None to show a refusal at its field."""
    try:
        changed = change_patron_data(
            db.session(),
            current_user,
            patron,
            form.wanted(),
            form.seen.data or "",
            mail_settings(),
            now(),
        )
    except DomainError as error:
        db.session.rollback()
        if error.code == "patron_changed_meanwhile":
            flash(refusal_message(error), "error")
            return redirect(url_for("staff.change_patron_data", number=number), code=303)
        add_error(refused_field(form, error, REFUSAL_FIELDS), refusal_message(error))
        return None
    db.session.commit()
    flash(_done_words(patron, changed), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


def _done_words(patron: Patron, changed: Changed) -> str:
    """What the desk is told once the data is saved (or was the same), and what it means for
    the patron's mail."""
    if not changed.after and not changed.link_sent_to:
        return _("Nothing was changed: the details were the same.")
    words = [_("The details of %(name)s are saved.", name=patron.display_name)]
    if new_email := changed.after.get("pending_library_email"):
        words.append(
            _(
                "%(email)s is used once the patron confirms it with the link mailed there (valid"
                " for 24 hours); until then the library mails as before.",
                email=new_email,
            )
        )
    if changed.after.get("library_email") == "":
        words.append(_mail_without_address(patron))
    if changed.link_sent_to:
        words.append(
            _(
                "The link to confirm %(email)s had expired: a new one was mailed there (valid for"
                " 24 hours).",
                email=changed.link_sent_to,
            )
        )
    return " ".join(words)


def _mail_without_address(patron: Patron) -> str:
    """Where the library mails a patron whose record has no e-mail address."""
    if email := patron_email(patron):
        return _("The library mails the login account's address, %(email)s.", email=email)
    return _("The library no longer mails the patron.")


def email_hint(patron: Patron) -> str:
    """The words at the e-mail field: what a new address and an empty field do, and what the
    waiting address's link is doing."""
    account = patron.login_account
    login_email = account.email if account else None
    words = [
        _(
            "A new address is used once the patron confirms it with the link mailed there (valid"
            " for 24 hours); the address used until then is told of the change."
        )
    ]
    if login_email:
        words.append(
            _(
                "Empty: the library mails the login account's address, %(email)s, instead.",
                email=login_email,
            )
        )
    else:
        words.append(_("Empty: the library no longer mails the patron."))
    if patron.pending_library_email:
        words.insert(0, _waiting_words(patron))
    return " ".join(words)


def _waiting_words(patron: Patron) -> str:
    """What the waiting address's state is."""
    used = patron_email(patron) or _("no address")
    if waiting_link_expired(db.session(), patron, now()):
        return _(
            "The link to confirm this address has expired; until it is confirmed the library"
            " mails %(email)s. Save with this address to mail a new link.",
            email=used,
        )
    return _(
        "Waiting for the patron to confirm this address; until then the library mails %(email)s.",
        email=used,
    )


@bp.app_context_processor
def email_link_state() -> dict[str, object]:
    """The patron screen tells whether the waiting e-mail address's link has expired."""
    return {"email_link_expired": lambda patron: waiting_link_expired(db.session(), patron, now())}
