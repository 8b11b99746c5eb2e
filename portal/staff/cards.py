"""The desk's card actions, from the patron screen's cards: scan a blank card as the main card, a
replacement or a secondary card (/balie/klanten/<number>/pas-scannen), and block, unblock or
delete one card. Each is the desk's (desk and coordinator) and in the audit log."""

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import PortalForm, add_error, required_text
from portal.refusals import refusal_message
from portal.staff.card_forms import (
    ADD,
    REPLACE,
    SECONDARY,
    CardBlockForm,
    CardButtonForm,
    CardScanForm,
)
from portal.staff.patron_pages import patron_or_404
from portal.staff.views import bp
from portal.wiring import mail_settings, now
from shared.cards.lookup import main_card, newest_main_card
from shared.desk import cards
from shared.desk.patron_numbers import number_with_card
from shared.errors import DomainError
from shared.models.card import Card, CardReason, CardStatus
from shared.models.patron import Patron

PAGE = "portal/staff/scan_card.html"
# The refusals about the patron rather than the number: shown at the choice of what the card
# becomes; any other at the number.
KIND_REFUSALS = {
    "card_not_needed_here",
    "no_card_to_replace",
    "no_main_card",
    "subscription_not_valid",
    "subscription_refused",
}
# At the desk, the kiosk's words to the patron about their subscription are said about them.
DESK_WORDS = {
    "subscription_not_valid": lambda: _(
        "The patron's subscription is not valid (it has ended, or a renewal is unpaid): a card"
        " is given only under a valid subscription."
    ),
    "subscription_refused": lambda: _(
        "The patron's subscription is made invalid or blacklisted: no card can be given."
    ),
}


@bp.route("/klanten/<number>/pas-scannen", methods=["GET", "POST"], endpoint="scan_card")
def scan_card(number: str) -> str | Response:
    """The scan field (a barcode scanner types the number and Enter) and what the card becomes."""
    patron = patron_or_404(number)
    form = CardScanForm(**_likely_choice(patron))
    if form.validate_on_submit():
        try:
            card = _scanned(form, patron)
        except DomainError as error:
            db.session.rollback()
            field = form.kind if error.code in KIND_REFUSALS else form.card_number
            add_error(field, card_refusal(error))
            if field is form.card_number:
                form.card_number.data = ""  # the next scan types into an empty field
        else:
            db.session.commit()
            flash(_("Card %(number)s is linked to the patron.", number=card.number), "success")
            return _to_patron(patron)
    return render_template(PAGE, patron=patron, number=number, form=form)


def _scanned(form: CardScanForm, patron: Patron) -> Card:
    """Link the scanned card as the form says."""
    scanned, kind = required_text(form.card_number), form.kind.data
    session, staff, moment = db.session(), current_user, now()
    if kind == REPLACE:
        reason = CardReason(form.reason.data)
        return cards.replace_card(session, staff, patron, scanned, reason, mail_settings(), moment)
    if kind == SECONDARY:
        return cards.add_secondary_card(session, staff, patron, scanned, moment)
    return cards.add_main_card(session, staff, patron, scanned, mail_settings(), moment)


def _likely_choice(patron: Patron) -> dict[str, str]:
    """What a scanned card most likely becomes: the main card when the patron has none, a
    replacement of a blocked or lost one (for the reason it was blocked), else a secondary
    card."""
    newest = newest_main_card(db.session(), patron)
    if newest is None or newest.status == CardStatus.REPLACED:
        return {"kind": ADD}
    if newest.status == CardStatus.ACTIVE:
        return {"kind": SECONDARY}
    return {"kind": REPLACE, "reason": newest.status_reason or CardReason.DAMAGED}


@bp.post("/klanten/<number>/passen/<card_number>/blokkeren", endpoint="block_card")
def block(number: str, card_number: str) -> Response:
    """Block one of the patron's cards, for the reason chosen."""
    patron = patron_or_404(number)
    form = CardBlockForm()
    return _acted(
        patron,
        form,
        lambda: cards.block(
            db.session(), current_user, patron, card_number, CardReason(form.reason.data), now()
        ),
        _("Card %(number)s is blocked.", number=card_number),
        _("Card %(number)s was blocked already.", number=card_number),
    )


@bp.post("/klanten/<number>/passen/<card_number>/deblokkeren", endpoint="unblock_card")
def unblock(number: str, card_number: str) -> Response:
    """Unblock one of the patron's cards: it was found again."""
    patron = patron_or_404(number)
    return _acted(
        patron,
        CardButtonForm(),
        lambda: cards.unblock(db.session(), current_user, patron, card_number, now()),
        _("Card %(number)s works again.", number=card_number),
        _("Card %(number)s works already.", number=card_number),
    )


@bp.post("/klanten/<number>/passen/<card_number>/verwijderen", endpoint="delete_card")
def delete(number: str, card_number: str) -> Response:
    """Delete one of the patron's cards, added by mistake and never used."""
    patron = patron_or_404(number)
    return _acted(
        patron,
        CardButtonForm(),
        lambda: cards.delete(db.session(), current_user, patron, card_number, now()),
        _("Card %(number)s is deleted.", number=card_number),
        _("Card %(number)s was deleted already.", number=card_number),
    )


def _acted(
    patron: Patron, form: PortalForm, action: Callable[[], bool], done: str, already: str
) -> Response:
    """Do a card action when its form is valid; say what was done (or that it was done before:
    a second press of the button), or why not."""
    if not form.validate_on_submit():
        if (why := _not_valid_because(form)) is not None:
            flash(why, "error")
        return _to_patron(patron)
    try:
        acted = action()
    except DomainError as error:
        db.session.rollback()
        flash(card_refusal(error), "error")
    else:
        db.session.commit()
        flash(done if acted else already, "success")
    return _to_patron(patron)


def _not_valid_because(form: PortalForm) -> str | None:
    """Why a card button's form was not valid; None when the language button sent it (the
    screen comes back in the language chosen)."""
    if form.csrf_token.errors:
        return _("The form had expired. Please submit it again.")
    return next((error for field in form for error in field.errors), None)


def card_refusal(error: DomainError) -> str:
    """A refusal of a card action, in the desk's words."""
    words = DESK_WORDS.get(error.code)
    return words() if words is not None else refusal_message(error)


def _to_patron(patron: Patron) -> Response:
    """Back to the patron screen's cards, under the number the patron now goes by."""
    number = number_with_card(patron, main_card(db.session(), patron))
    return redirect(url_for("staff.patron", number=number, _anchor="cards"), code=303)
