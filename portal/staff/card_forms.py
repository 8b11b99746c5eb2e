"""The desk's card forms: a scanned number and what it becomes, and why a card is blocked."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired

from portal.forms import PortalForm, fits, normalise_space
from portal.staff.patron_words import CARD_REASON_WORDS
from shared.models.card import Card, CardReason

ADD, REPLACE, SECONDARY = "add", "replace", "secondary"
KIND_CHOICES = [
    SelectChoice(ADD, _l("The main card (the patron has none that works)")),
    SelectChoice(REPLACE, _l("A new main card in place of the current one (replace)")),
    SelectChoice(SECONDARY, _l("A secondary card (volgpas) beside the main card")),
]
REASON_CHOICES = [SelectChoice(reason, words) for reason, words in CARD_REASON_WORDS.items()]


class CardScanForm(PortalForm):
    """A blank card's number as the scanner types it, and what the card becomes."""

    kind = RadioField(
        _l("The scanned card becomes"),
        choices=KIND_CHOICES,
        validators=[InputRequired(_l("Choose what the card becomes."))],
    )
    reason = SelectField(
        _l("Why is the card replaced?"),
        choices=REASON_CHOICES,
        default=CardReason.DAMAGED,
        validators=[InputRequired(_l("Choose why the card is replaced."))],
    )
    card_number = StringField(
        _l("Card number"),
        filters=[normalise_space],
        validators=[DataRequired(_l("Scan the card's barcode.")), fits(Card.number)],
    )


class CardBlockForm(PortalForm):
    """Why a card is blocked."""

    reason = SelectField(
        _l("Why?"),
        choices=REASON_CHOICES,
        validators=[InputRequired(_l("Choose why the card is blocked."))],
    )


class CardButtonForm(PortalForm):
    """A card action without fields (unblock, delete): the CSRF token only."""
