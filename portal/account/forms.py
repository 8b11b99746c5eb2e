"""Forms of logging in and resetting a password; field names are stable (`login`, `password`)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from portal.forms import email_field_validators, normalise_space, strong_password

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    """Card number, customer number or e-mail address, and password."""

    login = StringField(
        _l("Card number or e-mail address"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED)])


class LinkLoginForm(LoginForm):
    """The login and password of the login account to use from now on."""


class ForgotPasswordForm(FlaskForm):
    """Which login forgot its password."""

    login = StringField(
        _l("Card number or e-mail address"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[InputRequired(REQUIRED), strong_password(())]
    )
    password_confirm = PasswordField(
        _l("Repeat new password"),
        validators=[InputRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)])


class FirstLoginForm(NewPasswordForm):
    """First login with a card number: an e-mail for later, a new password, and who you are."""

    email = EmailField(
        _l("E-mail address"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), *email_field_validators()],
    )
    first_name = StringField(
        _l("First name"), filters=[normalise_space], validators=[InputRequired(REQUIRED)]
    )
    surname = StringField(
        _l("Surname"), filters=[normalise_space], validators=[InputRequired(REQUIRED)]
    )
    postcode_digits = StringField(
        _l("The four digits of your postcode"),
        filters=[normalise_space],
        validators=[
            InputRequired(REQUIRED),
            Regexp(r"^[0-9]{4}$", message=_l("Type four digits.")),
        ],
    )
    terms = BooleanField(
        _l("I accept the library's terms of use"),
        validators=[InputRequired(_l("Accept the terms of use to go on."))],
    )
    newsletter = BooleanField(_l("Yes, send me the library's newsletter"))


class ChangeEmailForm(FlaskForm):
    """A new e-mail address for logging in, confirmed with the current password."""

    email = EmailField(
        _l("New e-mail address"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), *email_field_validators()],
    )
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)])
