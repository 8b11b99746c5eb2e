"""Taking a payment at the desk (/balie/klanten/<number>/betalen): what is owed, all or part, in
cash, on the desk's PIN terminal (its page waits for the terminal's outcome), or by an
iDEAL | Wero link mailed to the patron."""

import re
import uuid
from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import add_error
from portal.refusals import refusal_message
from portal.settlement import settle
from portal.staff import patron_words
from portal.staff.desk_choice import at_desk, current_desk
from portal.staff.money_forms import CASH, LINK, TERMINAL, TakeForm
from portal.staff.patron_pages import patron_or_404
from portal.staff.views import bp
from portal.wiring import mail_settings, now, payment_provider, payment_urls
from shared.desk.money import AtDesk, Taking, mail_pay_link, start_at_terminal, take_cash
from shared.errors import DomainError
from shared.mail.patron_mail import payment_mail_address
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod, PaymentStatus
from shared.payments import ledger
from shared.payments.point_of_sale import cancel_terminal_payment, payable
from shared.payments.provider import PaymentProviderError
from shared.payments.service import find_by_reference

PAGE = "portal/staff/take_payment.html"
REQUEST_KEY = re.compile(r"[0-9a-f]{32}")
REFRESH_SECONDS = 2  # how often the terminal's page asks again while the patron pays
MEANS_WORDS = {
    CASH: _l("Cash"),
    TERMINAL: _l("PIN terminal of this desk"),
    LINK: _l("iDEAL | Wero link by e-mail"),
}
# The field a refusal is shown at; any other at the means.
REFUSAL_FIELDS = {"desk_amount_not_owed": "amount", "desk_nothing_owed": "amount"}


@bp.route("/klanten/<number>/betalen", methods=["GET", "POST"], endpoint="take_payment")
def take_payment(number: str) -> str | Response:
    """What the patron owes, and the form to take it (all or part) by the means chosen."""
    patron = patron_or_404(number)
    at = at_desk()
    if isinstance(at, Response):
        return at
    form = TakeForm()
    form.means.choices = _means(at, patron)
    if form.validate_on_submit():
        taking = _take(form, at, patron)
        if taking is not None:
            return _taken(number, form.means.data, taking)
    form.request_key.data = form.request_key.data or uuid.uuid4().hex
    owed = ledger.balance(db.session(), patron.id)
    context = {"owed": owed, "payable": payable(db.session(), patron), "desk": at.desk}
    return render_template(PAGE, patron=patron, number=number, form=form, **context)


def _means(at: AtDesk, patron: Patron) -> list[tuple[str, str]]:
    """The means this desk offers for this patron: a terminal if it has one, a link if an
    e-mail address is known."""
    offered = [CASH]
    offered += [TERMINAL] if at.desk.terminal_id else []
    offered += [LINK] if payment_mail_address(patron) else []
    return [(means, str(MEANS_WORDS[means])) for means in offered]


def _take(form: TakeForm, at: AtDesk, patron: Patron) -> Taking | None:
    """Take the payment as the form says and commit; None when refused (said at its field) or
    the provider failed."""
    try:
        taking = _take_by(form.means.data, at, patron, form.chosen_amount, form.request_key.data)
    except DomainError as error:
        db.session.rollback()
        add_error(form[REFUSAL_FIELDS.get(error.code, "means")], refusal_message(error))
        return None
    except PaymentProviderError:
        db.session.rollback()
        flash(_("The payment provider did not answer. Nothing was changed: try again."), "error")
        return None
    db.session.commit()
    return taking


def _take_by(
    means: str | None, at: AtDesk, patron: Patron, amount: Decimal | None, key: str | None
) -> Taking:
    """Take the payment by these means, under the form's request key."""
    # The key the page gave (a uuid); any other (tampered with) only loses the double-submit guard.
    key = key if key and REQUEST_KEY.fullmatch(key) else uuid.uuid4().hex
    session, moment = db.session(), now()
    if means == CASH:
        return take_cash(session, at, patron, amount, key, mail_settings(), moment)
    if means == TERMINAL:
        provider, urls = payment_provider(), payment_urls()
        return start_at_terminal(session, at, patron, amount, key, provider, urls, moment)
    services = (payment_provider(), payment_urls(), mail_settings())
    return mail_pay_link(session, at, patron, amount, key, services, moment)


def _taken(number: str, means: str | None, taking: Taking) -> Response:
    """Where the desk goes next: the terminal's page, or the patron screen with what was done."""
    payment = taking.payment
    if means == TERMINAL:
        return redirect(
            url_for("staff.terminal_payment", number=number, reference=payment.reference), code=303
        )
    amount = format_currency(payment.amount, "EUR")
    if not taking.new:
        flash(_("This payment was taken already (the form was sent twice)."), "success")
    elif means == CASH:
        flash(_("%(amount)s received in cash.", amount=amount), "success")
    else:
        flash(
            _("A payment link for %(amount)s was mailed to the patron.", amount=amount), "success"
        )
    return redirect(url_for("staff.patron", number=number, _anchor="ledger"), code=303)


@bp.get("/klanten/<number>/betaling/<reference>", endpoint="terminal_payment")
def terminal_payment(number: str, reference: str) -> str:
    """A payment on the desk's terminal: its status fetched on every look, the page asking
    again every few seconds until the terminal has an outcome."""
    patron = patron_or_404(number)
    payment = _desk_payment(patron, reference)
    if not payment.status.is_final:
        settle(payment)
    balance = ledger.balance(db.session(), patron.id)
    context = {
        "payment": payment,
        "balance": balance,
        "refresh": REFRESH_SECONDS,
        "paid": PaymentStatus.PAID,
        "words": patron_words,
    }
    return render_template(
        "portal/staff/terminal_payment.html", patron=patron, number=number, **context
    )


@bp.post("/klanten/<number>/betaling/<reference>/stoppen", endpoint="cancel_terminal_payment")
def cancel_terminal(number: str, reference: str) -> Response:
    """Stop the payment on the terminal while it still lets go (the card not yet accepted)."""
    patron = patron_or_404(number)
    payment = _desk_payment(patron, reference)
    desk = current_desk()
    # Only what waits on this desk's own terminal: not a mailed link, nor another desk's.
    if payment.method != PaymentMethod.POINT_OF_SALE or desk is None or payment.desk_id != desk.id:
        abort(404)
    try:
        cancel_terminal_payment(payment, payment_provider())
    except DomainError as error:
        flash(refusal_message(error), "error")
    except PaymentProviderError:
        flash(_("The payment provider did not answer. Try again."), "error")
    settle(payment)
    return redirect(url_for("staff.terminal_payment", number=number, reference=reference), code=303)


def _desk_payment(patron: Patron, reference: str) -> Payment:
    """The patron's payment taken at a desk with this reference; others are not found."""
    payment = find_by_reference(db.session(), reference)
    if payment is None or payment.patron_id != patron.id or payment.desk_id is None:
        abort(404)
    return payment
