"""Forms of logging in and resetting a password; field names are stable (`login`, `password`)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Optional, Regexp

from portal.forms import (
    REQUIRED,
    PortalForm,
    email_field_validators,
    fits,
    normalise_space,
    strong_password,
)
from shared.models.account import LoginAccount
from shared.models.patron import Patron

# What a patron may type to log in: one name for all of them (docs/login.md, "Names of numbers").
LOGIN_NAME = _l("Login name")
LOGIN_NAME_HINT = _l("Your card number, customer number, username or e-mail address.")


class LoginForm(PortalForm):
    """A login name (card or customer number, username or e-mail address), and password."""

    login = StringField(
        LOGIN_NAME,
        description=LOGIN_NAME_HINT,
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(LoginAccount.email)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class LinkLoginForm(LoginForm):
    """The login and password of the login account to use from now on."""


class ForgotPasswordForm(PortalForm):
    """Which login forgot its password."""

    login = StringField(
        LOGIN_NAME,
        description=LOGIN_NAME_HINT,
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(LoginAccount.email)],
    )


class ConfirmationRequestForm(ForgotPasswordForm):
    """Which login wants a new link to confirm its login account."""


class NewPasswordForm(PortalForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), strong_password(())]
    )
    password_confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class FirstLoginForm(NewPasswordForm):
    """First login with a card number: an e-mail for later, a new password, and who you are."""

    email = EmailField(
        _l("E-mail address"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), *email_field_validators()],
    )
    # Asked only where the library has one on record; left empty, it matches no first name.
    first_name = StringField(
        _l("First name"),
        filters=[normalise_space],
        validators=[Optional(), fits(Patron.first_name)],
    )
    surname = StringField(
        _l("Surname"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), fits(Patron.surname)],
    )
    postcode_digits = StringField(
        _l("The four digits of your postcode"),
        filters=[normalise_space],
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[0-9]{4}$", message=_l("Type four digits.")),
        ],
    )
    terms = BooleanField(
        _l("I accept the library's terms of use"),
        validators=[InputRequired(_l("Accept the terms of use to go on."))],
    )
    newsletter = BooleanField(_l("Yes, send me the library's newsletter"))


class ChangeEmailForm(PortalForm):
    """A new e-mail address for logging in, confirmed with the current password."""

    email = EmailField(
        _l("New e-mail address"),
        filters=[normalise_space],
        validators=[DataRequired(REQUIRED), *email_field_validators()],
    )
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
