"""The desk's form for a patron's data: the registration's fields, checked as at signup, for
what may change here; the date of birth and person type that the checks need come from the
record."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, SubmitField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Optional

from portal.forms import REQUIRED, email_field_validators, normalise_space
from portal.staff.registration_form import DeskRegistrationForm
from shared.desk.patron_data import PatronData
from shared.models.patron import Gender, Patron

# The registration's fields that are not changed here (the date of birth and person type were
# checked against an ID document; subscriptions, cards and logins have pages of their own).
NOT_HERE = (
    "birth_date",
    "gender",
    "iban",
    "subscription",
    "selection",
    "id_checked",
    "login",
    "card_number",
    "passed_duplicates",
    "agreed_total",
    "create_anyway",
    "agree_costs",
)
LANGUAGES = [SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))]


# What a verified guest's own library says of them, and the desk does not change (seed 003).
PERSONAL = (
    "initials", "prefix", "surname", "first_name", "street", "house_number", "postcode", "city",
    "country", "phone", "library_email",
)  # fmt: skip


class PatronDataForm(DeskRegistrationForm):
    """A patron's address, names, e-mail, phone, branch, language and newsletter."""

    library_email = EmailField(
        _l("E-mail address"),
        filters=[normalise_space],
        validators=[Optional(), *email_field_validators()],
    )
    language = RadioField(
        _l("Language of mails and letters"),
        choices=LANGUAGES,
        validators=[InputRequired(REQUIRED)],
    )
    seen = HiddenField()  # the fingerprint of the data the page showed
    submit = SubmitField(_l("Save the changes"))

    def __init__(self, patron: Patron, **kwargs: Any) -> None:
        self._born = patron.birth_date
        self._institution = patron.gender == Gender.INSTELLING
        super().__init__(**kwargs)
        for name in NOT_HERE:
            del self[name]

    def born_on(self) -> date | None:
        """The patron's date of birth on the record."""
        return self._born

    def is_institution(self) -> bool:
        """Whether the patron is an institution, as the record says."""
        return self._institution

    def hold_personal(self, shown: PatronData) -> None:
        """A verified guest's personal data are their own library's: not in the form (only
        shown), kept as they are."""
        for name in PERSONAL:
            del self[name]
        self.held = shown

    def wanted(self) -> PatronData:
        """The data as the valid form has it (held data as they are)."""
        names = PatronData.__dataclass_fields__
        values = {name: self._value(name) for name in names if name != "newsletter"}
        return PatronData(**values, newsletter=bool(self.newsletter.data))

    def _value(self, name: str) -> str:
        """A field's value, or the held data's when the form does not have it."""
        if name in self:
            return str(self[name].data or "")
        return str(getattr(self.held, name))
