"""Forms of logging in and resetting a password; field names are stable (`login`, `password`)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.forms import normalise_space, strong_password

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    """Card number, customer number or e-mail address, and password."""

    login = StringField(
        _l("Card number or e-mail address"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED)])


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
