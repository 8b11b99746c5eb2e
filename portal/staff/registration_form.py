"""The desk's form for a new patron: the signup's personal details, with the person types, the
subscription and selection code, ID mark, login and card that only the desk gives."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Optional, Regexp, StopValidation

from portal.forms import REQUIRED, email_field_validators, fits, normalise_space
from portal.refusals import refusal_message
from portal.signup.forms import DetailsForm
from shared.errors import DomainError
from shared.models.card import Card
from shared.models.patron import Gender, Patron

# Seed 002's person types (*Persoon/Instelling*), as the desk names them.
PERSON_TYPES = [
    SelectChoice(Gender.VROUW, _l("Woman")),
    SelectChoice(Gender.MAN, _l("Man")),
    SelectChoice(Gender.NEUTRAAL, _l("Neutral")),
    SelectChoice(Gender.ONBEKEND, _l("Unknown")),
    SelectChoice(Gender.INSTELLING, _l("Institution (school, care home)")),
]


def required_unless_institution(form: "DeskRegistrationForm", field: Field) -> None:
    """Required for a person; an institution may leave it empty (nothing else is checked then)."""
    if field.raw_data and field.raw_data[0].strip():
        return
    field.errors = []  # a date field's "not a valid date" for nothing typed
    raise StopValidation("" if form.is_institution() else REQUIRED)


def required_for_login(form: Form, field: Field) -> None:
    """Required when a login account is made: its password link is mailed there."""
    if form["login"].data and not field.data:
        raise StopValidation(refusal_message(DomainError("login_needs_email")))


class DeskRegistrationForm(DetailsForm):
    """A new patron at the desk (field names as the signup's, plus the desk's own)."""

    initials = StringField(
        _l("Initials"),
        filters=[normalise_space],
        validators=[
            required_unless_institution,
            fits(Patron.initials),
            Regexp(r"^[^\W\d_](\.? ?[^\W\d_])*\.?$", message=_l("Letters only, like J.M.")),
        ],
    )
    birth_date = DateField(_l("Date of birth"), validators=[required_unless_institution])
    gender = RadioField(
        _l("Person type"), choices=PERSON_TYPES, validators=[InputRequired(REQUIRED)]
    )
    library_email = EmailField(
        _l("E-mail address"),
        filters=[normalise_space],
        validators=[required_for_login, Optional(), *email_field_validators()],
    )
    newsletter = BooleanField(_l("The patron wants the library's newsletter"))
    branch = SelectField(_l("Home branch"), validators=[InputRequired(_l("Choose a branch."))])
    subscription = SelectField(_l("Subscription"), validators=[Optional()])
    selection = SelectField(_l("Selection"), validators=[Optional()])
    id_checked = BooleanField(_l("ID document checked"))
    login = BooleanField(_l("Make a login account"), default=True)
    card_number = StringField(
        _l("Card number of the blank card"),
        filters=[normalise_space],
        validators=[Optional(), fits(Card.number)],
    )
    passed_duplicates = HiddenField()
    agreed_total = HiddenField()
    submit = SubmitField(_l("Register patron"))
    create_anyway = SubmitField(_l("Register anyway"))
    agree_costs = SubmitField(_l("Agreed: register patron"))

    def is_institution(self) -> bool:
        """Whether the form is about an institution."""
        return bool(self.gender.data == Gender.INSTELLING)

    def validate_birth_date(self, field: Field) -> None:
        """As in the signup; an institution's is set by the desk's rule, whatever was typed."""
        if not self.is_institution():
            super().validate_birth_date(field)

    def validate_first_name(self, field: Field) -> None:
        """As in the signup (required under 19); an institution has none."""
        if not self.is_institution():
            super().validate_first_name(field)

    def passed(self) -> frozenset[int]:
        """The likely duplicates shown and passed with "register anyway" (or, after them, with
        the costs agreed); none otherwise."""
        if not (self.create_anyway.data or self.agree_costs.data):
            return frozenset()
        ids = (self.passed_duplicates.data or "").split(",")
        return frozenset(int(n) for n in ids if n.isdigit())

    def agreed(self) -> Decimal | None:
        """The total of the cost build-up shown and agreed to; None unless agreed now."""
        if not self.agree_costs.data:
            return None
        try:
            total = Decimal(self.agreed_total.data or "")
        except InvalidOperation:
            return None
        return total if total.is_finite() else None
