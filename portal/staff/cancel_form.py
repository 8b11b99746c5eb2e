"""The desk's form for cancelling a patron's subscription: the patron's fields (`when`,
`reason`, in the desk's words) and whether the unused part is refunded (`refund`)."""

from decimal import Decimal

from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Optional

from portal.account.cancel_form import CancelForm

YES, NO = "yes", "no"


class DeskCancelForm(CancelForm):
    """When and why, as the desk enters it, and for now whether the unused part goes back."""

    when = RadioField(
        _l("When does the subscription stop?"),
        validators=[InputRequired(_l("Choose when the subscription stops."))],
    )
    refund = RadioField(
        _l("Refund the unused part? (only when cancelling now)"),
        default=NO,
        validators=[Optional()],  # none chosen: no refund
    )

    def offer_refund(self, amount: Decimal) -> None:
        """No refund, or the unused part (its amount shown)."""
        shown = format_currency(amount, "EUR")
        self.refund.choices = [
            SelectChoice(NO, _("No refund")),
            SelectChoice(YES, _("Refund the unused part: %(amount)s", amount=shown)),
        ]

    @property
    def refunds(self) -> bool:
        """Whether the desk chose to refund the unused part."""
        return self.refund.data == YES
