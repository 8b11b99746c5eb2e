"""The desk's money forms: taking a payment, waiving a charge, refunding a payment. Amounts are
typed as staff write them (12,50 or 12.50, with or without €)."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, HiddenField, RadioField, StringField, ValidationError
from wtforms.validators import InputRequired

from portal.forms import REQUIRED, PortalForm, fits, normalise_space
from shared.models.desk import Waiver
from shared.models.payment import Refund

AMOUNT = re.compile(r"^(?:€\s*)?(\d{1,7})(?:[.,](\d{1,2}))?$")
CASH, TERMINAL, LINK = "cash", "terminal", "link"


def amount_of(text: str) -> Decimal | None:
    """An amount of euros as typed, in cents; None when it is no amount (or nothing)."""
    found = AMOUNT.match(text.strip())
    if found is None:
        return None
    try:
        return Decimal(f"{found[1]}.{(found[2] or '0').ljust(2, '0')}")
    except InvalidOperation:
        return None


def an_amount(_form: Form, field: Field) -> None:
    """Refuse what is no amount above zero; empty is allowed (all of it)."""
    typed = (field.data or "").strip()
    amount = amount_of(typed) if typed else None
    if typed and (amount is None or amount <= 0):
        raise ValidationError(_l("Type an amount in euros, such as 12,50."))


class AmountForm(PortalForm):
    """An amount (empty: all of it), and the key that makes a double submit count once."""

    amount = StringField(_l("Amount in euros"), filters=[normalise_space], validators=[an_amount])
    request_key = HiddenField()

    @property
    def chosen_amount(self) -> Decimal | None:
        """The amount typed; None for all of it."""
        return amount_of(self.amount.data or "")


class TakeForm(AmountForm):
    """How the patron pays what is owed, all or part."""

    means = RadioField(_l("How does the patron pay?"), validators=[InputRequired(REQUIRED)])


class WaiveForm(PortalForm):
    """Which charge is let go, and why."""

    charge = RadioField(_l("Charge"), validators=[InputRequired(REQUIRED)])
    reason = StringField(
        _l("Reason"),
        filters=[normalise_space],
        validators=[
            InputRequired(_l("Give the reason for waiving this charge.")),
            fits(Waiver.reason),
        ],
    )


class RefundForm(AmountForm):
    """How much of a payment goes back, and what the patron's statement says."""

    description = StringField(
        _l("Description"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), fits(Refund.description)],
    )
