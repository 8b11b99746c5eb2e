"""The form for cancelling a subscription: when it stops, and why (a reason from the
catalogue's list); field names are stable (`when`, `reason`)."""

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from shared.memberships.cancellation import Cancellation, CancelWhen
from shared.models.catalogue import CancelReason


class CancelForm(PortalForm):
    """When the subscription stops and why; the view offers the choices that fit it."""

    when = RadioField(
        _l("When do you want to stop?"),
        validators=[InputRequired(_l("Choose when your subscription stops."))],
    )
    reason = SelectField(
        _l("Reason for cancelling"),
        validators=[InputRequired(_l("Choose a reason for cancelling."))],
    )

    def offer(self, when: list[SelectChoice], reasons: Iterable[CancelReason], locale: str) -> None:
        """The moments to choose from (labelled for the subscription) and the reasons."""
        self.when.choices = when
        self.reason.choices = [SelectChoice("", _("Choose a reason"))] + [
            SelectChoice(reason.code, reason.label(locale)) for reason in reasons
        ]

    def chosen(self) -> Cancellation:
        """What was chosen, from a form that validated."""
        return Cancellation(CancelWhen(self.when.data), self.reason.data or "")
