"""The desk's form for a guest patron (seed 003): their own card's number and library, the home
branch here, the ID check and an existing login to link; the details from the ID document only
when their own library cannot be asked."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import REQUIRED, PortalForm, fits, normalise_space
from portal.signup.forms import DetailsForm
from shared.models.guest import GuestHome


class GuestCardForm(PortalForm):
    """Whose card it is: scanned or typed, the library chosen among those that may have issued
    it (or found by name)."""

    card_number = StringField(
        _l("Card number at the own library"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(GuestHome.home_card_number)],
    )
    isil = RadioField(_l("Own library"), validators=[Optional()], validate_choice=False)
    library_search = StringField(
        _l("Find the own library by name"),
        filters=[normalise_space],
        validators=[Optional(), Length(max=120)],
    )
    # Checked on registering (unknown_branch), not while the library is being found.
    branch = SelectField(_l("Home branch here"), validators=[Optional()])
    id_checked = BooleanField(_l("ID document checked"))
    existing_login = StringField(
        _l("Existing login account to use (username or e-mail, optional)"),
        filters=[normalise_space],
        validators=[Optional(), Length(max=254)],
    )
    # The own library sends no birth date: it is taken from the ID document.
    birth_date = DateField(_l("Date of birth, as on the ID document"), validators=[Optional()])
    # Set once the own library turned out not to be askable: the details form is shown.
    unverified = HiddenField()
    # Set once the own library sent no birth date: the field for it is shown.
    ask_birth_date = HiddenField()
    # The card number the library choice was made for: a new number is chosen for anew.
    card_for = HiddenField()
    find = SubmitField(_l("Find the library"))
    submit = SubmitField(_l("Register guest"))


class GuestDetailsForm(DetailsForm):
    """The guest's details as on their ID document, when their own library cannot be asked
    (the card form holds the branch)."""

    branch = None  # type: ignore[assignment]  # the card form's
