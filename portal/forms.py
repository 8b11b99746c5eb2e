"""Form building blocks shared by the portal's features."""

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import Field, Form, HiddenField, StringField, ValidationError
from wtforms.validators import Email, Length, StopValidation

from portal.i18n import switching_language
from shared.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_strong_enough
from shared.models.account import LoginAccount
from shared.text import is_plain_text, max_length

REQUIRED = _l("This field is required.")


class PortalForm(FlaskForm):
    """A form of the portal: every text field refuses control and direction characters before
    its own checks, so no field can be forgotten."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, StringField) and not isinstance(field, HiddenField):
                field.validators = [plain_text, *field.validators]

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        """Sent and valid; never when the language button sent it (the page comes back in the
        other language with what was typed, without errors)."""
        if switching_language():
            return False
        return bool(super().validate_on_submit(extra_validators))


def plain_text(form: Form, field: Field) -> None:
    """Refuse control and direction characters, as typed (before white space is tidied)."""
    typed = field.raw_data[0] if field.raw_data else field.data
    if isinstance(typed, str) and not is_plain_text(typed):
        raise StopValidation(
            _l(
                "This holds invisible characters (control or direction marks) that cannot be"
                " stored. Type it again instead of pasting it."
            )
        )


def fits(column: InstrumentedAttribute[Any]) -> Length:
    """A length check up to the length of the column that keeps the text."""
    return Length(max=max_length(column), message=_l("Use at most %(max)d characters."))


def email_field_validators() -> list[object]:
    """Syntax check of an e-mail address (email-validator, no DNS look-up)."""
    return [
        fits(LoginAccount.email),
        Email(message=_l("Enter an e-mail address like name@example.nl.")),
    ]


def strong_password(personal_fields: tuple[str, ...]) -> object:
    """A validator refusing short or easily guessed passwords, counting the form's own data."""

    def validate(form: Form, field: Field) -> None:
        personal = [str(form[name].data or "") for name in personal_fields if name in form]
        if len(field.data or "") < MIN_LENGTH:
            raise ValidationError(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
        if len(field.data) > MAX_LENGTH:
            raise ValidationError(_l("Use at most %(n)s characters.", n=MAX_LENGTH))
        if not is_strong_enough(field.data, personal):
            raise ValidationError(
                _l("Too easy to guess. Add words or characters, and avoid your name.")
            )

    return validate


def required_text(field: StringField) -> str:
    """The text of a field that InputRequired let through, from a form that validated."""
    # WTForms types the data as optional: None is left only for a field missing from the request.
    assert field.data is not None
    return field.data


def add_error(field: Field, message: str) -> None:
    """Show a message under the field, after those of its validators."""
    field.errors = [*field.errors, message]


def normalise_space(value: str | None) -> str:
    """Trimmed, with runs of white space made single."""
    return re.sub(r"\s+", " ", value or "").strip()
