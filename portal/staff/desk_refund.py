"""Refunding a payment at the desk (/balie/klanten/<number>/terugbetalen/<reference>): all or
part, through the payment provider, or a cash payment in cash from the drawer. A desk member
refunds at most what the library owes the patron; more is a coordinator's."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import force_locale, format_currency
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.forms import add_error, required_text
from portal.refusals import refusal_message
from portal.staff.desk_choice import at_desk
from portal.staff.money_forms import RefundForm
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import is_coordinator
from portal.staff.views import bp
from portal.wiring import now, payment_provider
from shared.desk.desk_refunds import refund_at_desk_committing
from shared.errors import DomainError
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod, RefundStatus
from shared.payments import ledger
from shared.payments.provider import PaymentProviderError
from shared.payments.refunds import refundable
from shared.payments.service import find_by_reference

# The field a refusal is shown at; any other at the amount.
REFUSAL_FIELDS = {"text_too_long": "description", "text_not_allowed": "description"}


@bp.route(
    "/klanten/<number>/terugbetalen/<reference>",
    methods=["GET", "POST"],
    endpoint="refund_payment",
)
def refund(number: str, reference: str) -> str | Response:
    """What may still be refunded of the payment, and the form to refund it."""
    patron = patron_or_404(number)
    payment = _patrons_payment(patron, reference)
    at = at_desk()
    if isinstance(at, Response):
        return at
    form = RefundForm()
    if not form.is_submitted():
        form.description.data = _default_description(patron, payment)
    if form.validate_on_submit():
        wanted = (form.chosen_amount, required_text(form.description))
        try:
            given = refund_at_desk_committing(
                db.session(), at, payment, wanted, is_coordinator(), payment_provider(), now()
            )
        except DomainError as error:
            add_error(form[REFUSAL_FIELDS.get(error.code, "amount")], refusal_message(error))
        except PaymentProviderError:
            flash(
                _("The payment provider did not answer. The refund is sent again later."), "error"
            )
            return redirect(url_for("staff.patron", number=number, _anchor="payments"), code=303)
        else:
            failed = given.status == RefundStatus.FAILED
            flash(
                _done_words(payment, given.amount, given.status), "error" if failed else "success"
            )
            return redirect(url_for("staff.patron", number=number, _anchor="payments"), code=303)
    context = {
        "payment": payment,
        "refundable": refundable(payment),
        "balance": ledger.balance(db.session(), patron.id),
        "cash": payment.method == PaymentMethod.CASH,
        "coordinator": is_coordinator(),
        "desk": at.desk,
    }
    return render_template(
        "portal/staff/refund.html", patron=patron, number=number, form=form, **context
    )


def _patrons_payment(patron: Patron, reference: str) -> Payment:
    """The patron's payment with this reference; another's is not found."""
    payment = find_by_reference(db.session(), reference)
    if payment is None or payment.patron_id != patron.id:
        abort(404)
    return payment


def _default_description(patron: Patron, payment: Payment) -> str:
    """What the refund says by default, in the patron's language."""
    with force_locale(patron.locale):
        return _("Refund: %(payment)s", payment=payment.description)[:255]


def _done_words(payment: Payment, amount: object, status: RefundStatus) -> str:
    """What the desk is told: cash to hand over, or the provider's refund under way."""
    shown = format_currency(amount, "EUR")
    if payment.method == PaymentMethod.CASH:
        return _("Give the patron %(amount)s in cash from the drawer.", amount=shown)
    if status == RefundStatus.FAILED:
        return _("The payment provider refused the refund of %(amount)s.", amount=shown)
    return _("%(amount)s is being refunded to the patron's account.", amount=shown)
