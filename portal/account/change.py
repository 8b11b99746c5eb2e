"""Changing to another subscription in *Mijn account*: choose, see what it costs (the build-up
line by line), confirm (a change to direct debit: then its first payment at the provider);
undo a change planned for the next period."""

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.account.change_form import ChangeForm
from portal.account.overview import _change, _own, bp
from portal.extensions import db
from portal.i18n import current_language
from portal.refusals import refusal_message
from portal.settlement import start_direct_debits_of
from portal.wiring import now, payment_provider, payment_urls
from shared.errors import DomainError
from shared.memberships.change import (
    ChangeQuote,
    change_subscription,
    changeable,
    offers,
    quote,
    undo_change,
)
from shared.memberships.change_mandate import pay_change
from shared.models.catalogue import SubscriptionType
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.timeutil import local_today

PAGE = "portal/account/change.html"


@bp.route("/<int:patron_id>/wijzigen", methods=["GET", "POST"])
@login_required
def change(patron_id: int) -> str | Response | tuple[str, int]:
    """Choose another subscription; then its costs to confirm; then change."""
    patron = _own(patron_id)
    try:
        current = changeable(db.session(), patron, local_today(now()))
    except DomainError as error:
        return render_template(PAGE, refused=refusal_message(error))
    form = offered_form(current, desk=False)
    if not form.validate_on_submit():
        return render_template(PAGE, form=form, subscription=current)
    try:
        chosen = quote(db.session(), patron, form.chosen(), local_today(now()))
    except DomainError as error:
        form.target.errors = [refusal_message(error)]
        return render_template(PAGE, form=form, subscription=current)
    if not form.confirmed.data:
        return render_template(PAGE, form=form, subscription=current, quote=chosen)
    done = _change(
        patron_id,
        changed_words(chosen),
        lambda p: change_subscription(db.session(), p, form.chosen(), payment_provider(), now()),
        _first_payment if chosen.first_payment else None,
    )
    start_direct_debits_of(patron)
    return done


def _first_payment(patron: Patron) -> Payment:
    """The first payment of the patron's change to direct debit, started at the provider."""
    return pay_change(db.session(), patron, payment_provider(), payment_urls(), now())


@bp.post("/<int:patron_id>/wijziging-betalen")
@login_required
def pay(patron_id: int) -> Response | tuple[str, int]:
    """Pay (again) the first payment a change to direct debit waits for."""
    return _change(patron_id, "", lambda _patron: None, _first_payment)


def offered_form(current: Subscription, desk: bool) -> ChangeForm:
    """The form with what the current subscription may change to."""
    form = ChangeForm()
    targets = offers(db.session(), current, desk)
    kinds = [(target, db.session.get_one(SubscriptionType, target.code)) for target in targets]
    form.offer(kinds, current_language())
    return form


def changed_words(chosen: ChangeQuote) -> str:
    """What the patron is told once the change is made."""
    name = chosen.kind.name(current_language())
    if chosen.upgrade is not None:
        return _("%(name)s starts today.", name=name)
    day = format_date(chosen.starts_on, "long")
    return _("%(name)s starts on %(date)s. Until then nothing changes.", name=name, date=day)


@bp.post("/<int:patron_id>/wijziging-terugdraaien")
@login_required
def undo(patron_id: int) -> Response | tuple[str, int]:
    """Take back the change planned for the next period."""
    return _change(
        patron_id,
        _("The change is undone. Your subscription runs on as it was."),
        lambda p: undo_change(db.session(), p, now()),
    )
