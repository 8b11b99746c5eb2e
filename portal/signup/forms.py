"""The forms of the signup steps; field names are stable (outside checks use them)."""

import re
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    ValidationError,
)

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from portal.forms import (
    REQUIRED,
    PortalForm,
    email_field_validators,
    fits,
    normalise_space,
    strong_password,
)
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.models.patron import Gender, Patron, PaymentPlan
from shared.patrons.subscriptions import is_youth
from shared.signup.registration import PersonalDetails
from shared.text import max_length
from shared.timeutil import local_today

GENDERS = [
    SelectChoice(Gender.VROUW, _l("Woman")),
    SelectChoice(Gender.MAN, _l("Man")),
    SelectChoice(Gender.NEUTRAAL, _l("Neutral")),
    SelectChoice(Gender.ONBEKEND, _l("Prefer not to say")),
]
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
DUTCH_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")


PAYMENT_PLANS = [
    SelectChoice(PaymentPlan.ONCE, _l("Pay each period at once with iDEAL | Wero")),
    SelectChoice(
        PaymentPlan.DIRECT_DEBIT,
        _l("Direct debit: pay the first period with iDEAL | Wero, the library collects the rest"),
    ),
]


class SubscriptionForm(PortalForm):
    """Step 1: the subscription and how to pay it."""

    subscription = RadioField(
        _l("Subscription"), validators=[InputRequired(_l("Choose a subscription."))]
    )
    payment_plan = RadioField(
        _l("How do you want to pay?"), choices=PAYMENT_PLANS, validators=[Optional()]
    )


class AccountForm(PortalForm):
    """Step 2: the login account."""

    username = StringField(
        _l("Username"),
        filters=[normalise_space],
        validators=[
            DataRequired(REQUIRED),
            Length(3, max_length(LoginAccount.username), _l("Use %(min)d to %(max)d characters.")),
            Regexp(r"^[A-Za-z0-9._@-]+$", message=_l("Use letters, digits, and . _ - @ only.")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), *email_field_validators()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(REQUIRED), strong_password(("username", "email"))]
    )
    password_confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )


class DetailsForm(PortalForm):
    """Step 3: personal details and the branch where the card will be collected."""

    initials = StringField(
        _l("Initials"),
        filters=[normalise_space],
        validators=[
            DataRequired(REQUIRED),
            fits(Patron.initials),
            Regexp(r"^[^\W\d_](\.? ?[^\W\d_])*\.?$", message=_l("Letters only, like J.M.")),
        ],
    )
    prefix = StringField(
        _l("Prefix (e.g. van, de)"),
        filters=[normalise_space],
        validators=[Optional(), fits(Patron.prefix)],
    )
    surname = StringField(
        _l("Surname"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(Patron.surname)],
    )
    first_name = StringField(
        _l("First name"), filters=[normalise_space], validators=[fits(Patron.first_name)]
    )
    birth_date = DateField(
        _l("Date of birth"), validators=[InputRequired(_l("Enter your date of birth."))]
    )
    gender = RadioField(_l("Gender"), choices=GENDERS, validators=[InputRequired(REQUIRED)])
    postcode = StringField(
        _l("Postcode"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(Patron.postcode)],
    )
    house_number = StringField(
        _l("House number and addition"),
        filters=[normalise_space],
        validators=[
            DataRequired(REQUIRED),
            fits(Patron.house_number),
            Regexp(r"^[1-9][0-9]*.{0,8}$", message=_l("Start with the number, like 12 or 12A.")),
        ],
    )
    street = StringField(
        _l("Street"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(Patron.street)],
    )
    city = StringField(
        _l("Town or city"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(Patron.city)],
    )
    country = SelectField(_l("Country"), default="NL", validators=[InputRequired(REQUIRED)])
    phone = TelField(
        _l("Phone number (optional)"),
        filters=[normalise_space],
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 ()-]{8,20}$", message=_l("Enter a phone number like 0612345678.")),
        ],
    )
    library_email = EmailField(
        _l("E-mail address for the library (optional)"),
        filters=[normalise_space],
        validators=[Optional(), *email_field_validators()],
    )
    newsletter = BooleanField(_l("Yes, send me the library's newsletter"))
    iban = StringField(_l("IBAN (optional)"), filters=[normalise_space], validators=[Optional()])
    branch = SelectField(
        _l("Branch where you collect your card"), validators=[InputRequired(_l("Choose a branch."))]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(str(get_locale() or "nl"))

    def validate_birth_date(self, field: Field) -> None:
        """A date in the past and not absurdly long ago."""
        if field.data and not date(1900, 1, 1) <= field.data <= local_today(now()):
            raise ValidationError(_l("Enter a real date of birth."))

    def born_on(self) -> date | None:
        """The member's date of birth, as far as it is known yet."""
        born: date | None = self.birth_date.data
        return born

    def validate_first_name(self, field: Field) -> None:
        """Required for youth members only (under 19 on the signup date)."""
        born = self.born_on()
        if not field.data and born and is_youth(born, local_today(now())):
            raise ValidationError(_l("Fill in the first name of a member under 19."))

    def validate_postcode(self, field: Field) -> None:
        """Dutch postcodes as 1234 AB."""
        if self.country.data != "NL":
            return
        match = DUTCH_POSTCODE.match(field.data or "")
        if not match:
            raise ValidationError(_l("Enter a postcode like 1234 AB."))
        field.data = f"{match[1]} {match[2].upper()}"

    def validate_iban(self, field: Field) -> None:
        """A valid IBAN, stored in its compact form."""
        try:
            field.data = IBAN(field.data).compact
        except SchwiftyException as error:
            raise ValidationError(
                _l("This IBAN is not valid. Check it on your bank card.")
            ) from error


def country_choices(locale: str) -> list[SelectChoice]:
    """Countries by ISO code, named in the patron's language, the Netherlands first."""
    names = Locale.parse(locale).territories
    codes = sorted(
        (
            c
            for c in names
            if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES
        ),
        key=lambda c: names[c],
    )
    first = ["NL", "BE", "DE"]
    return [
        SelectChoice(code, names[code]) for code in first + [c for c in codes if c not in first]
    ]


def personal_details(form: DetailsForm) -> PersonalDetails:
    """The service's value object from a validated details form."""
    fields = PersonalDetails.__dataclass_fields__
    values: dict[str, Any] = {
        name: form[name].data or "" for name in fields if name != "newsletter"
    }
    values |= {"library_email": form.library_email.data or ""}
    return PersonalDetails(**values, newsletter=bool(form.newsletter.data))
