"""The form for changing to another subscription (patron and desk): the choice (`target`, as
`code:plan`) and, on the second step, the confirmation (`confirmed`) after the costs."""

from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from shared.errors import DomainError
from shared.memberships.change import Target
from shared.models.catalogue import SubscriptionType
from shared.models.patron import PaymentPlan


class ChangeForm(PortalForm):
    """Which subscription to change to; `confirmed` once the costs were shown."""

    target = RadioField(
        _l("Change to"),
        validators=[InputRequired(_l("Choose the subscription you want."))],
        validate_choice=False,  # the domain says why one is not on offer (the same one, …)
    )
    confirmed = HiddenField()

    def offer(self, targets: list[tuple[Target, SubscriptionType]], locale: str) -> None:
        """The subscriptions to choose from, each with its price and way of paying."""
        self.target.choices = [
            SelectChoice(f"{target.code}:{target.plan.value}", _label(kind, target.plan, locale))
            for target, kind in targets
        ]

    def chosen(self) -> Target:
        """The chosen subscription, from a form that validated (one not on offer refused)."""
        code, _colon, plan = (self.target.data or "").partition(":")
        if plan not in set(PaymentPlan):
            raise DomainError("change_not_offered")
        return Target(code, PaymentPlan(plan))


def _label(kind: SubscriptionType, plan: PaymentPlan, locale: str) -> str:
    """A subscription as offered: name, price per term and way of paying."""
    price = format_currency(kind.price, "EUR")
    if plan == PaymentPlan.DIRECT_DEBIT:
        return _("%(name)s: %(price)s, by direct debit", name=kind.name(locale), price=price)
    return _("%(name)s: %(price)s", name=kind.name(locale), price=price)
