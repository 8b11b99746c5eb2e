"""The desk's merge form: per field in which the two records differ, whose value stays (this
record's, chosen beforehand, or the other's); the login and main card likewise when both
records have one; and what the page showed (a fingerprint)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from portal.staff.patron_words import CUSTOMER_WORDS, field_words
from portal.staff.registration_form import PERSON_TYPES
from shared.desk.merge import LOGIN, MAIN_CARD
from shared.desk.merge_sides import FIELDS, Side
from shared.models.card import CardRole, CardStatus

THIS, OTHER = "this", "other"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class MergeForm(PortalForm):
    """What the page showed; the choices are added per pair of records (`merge_form`)."""

    shown = HiddenField()

    def taken(self) -> frozenset[str]:
        """The names of the choices that take the other record's value."""
        return frozenset(field.name for field in self if field.data == OTHER)

    def choices(self) -> list[RadioField]:
        """The radio groups, in the order of the page."""
        return [field for field in self if isinstance(field, RadioField)]


@dataclass(frozen=True)
class Row:
    """A line of the comparison: what it is, both values as shown, and whether to choose."""

    name: str
    label: str
    values: tuple[str, str]

    @property
    def differs(self) -> bool:
        """Whether the desk chooses between the two values."""
        return self.values[0] != self.values[1]


def rows_of(this: Side, other: Side) -> list[Row]:
    """Every field with both values; the login and main card when both records have one."""
    rows = [
        Row(name, field_words(name), (_shown(this, name), _shown(other, name))) for name in FIELDS
    ]
    logins = (this.login, other.login)
    if logins[0] is not None and logins[1] is not None and logins[0] is not logins[1]:
        shown = tuple(f"{login.username} ({login.email or '–'})" for login in logins if login)
        rows.append(Row(LOGIN, field_words(LOGIN), (shown[0], shown[1])))
    cards = (_main_card(this), _main_card(other))
    if cards[0] is not None and cards[1] is not None:
        rows.append(Row(MAIN_CARD, field_words(MAIN_CARD), (cards[0], cards[1])))
    return rows


def merge_form(rows: list[Row]) -> MergeForm:
    """A form with a choice for every row whose values differ (this record's value first)."""

    class PairForm(MergeForm):
        pass

    for row in rows:
        if row.differs:
            options = [SelectChoice(THIS, row.values[0]), SelectChoice(OTHER, row.values[1])]
            choose = InputRequired(_l("Choose which value stays."))
            field = RadioField(row.label, choices=options, default=THIS, validators=[choose])
            setattr(PairForm, row.name, field)
    return PairForm()


def _main_card(side: Side) -> str | None:
    """The number of the record's active main card, if it has one."""
    active = (c for c in side.cards if (c.role, c.status) == (CardRole.MAIN, CardStatus.ACTIVE))
    return next((card.number for card in active), None)


def _shown(side: Side, name: str) -> str:
    """A field's value as the desk reads it."""
    value = side.value(name)
    if name == "home_branch_id":
        return side.patron.home_branch.name
    if name == "gender":
        return str(next((c.label for c in PERSON_TYPES if c.value == value), value))
    if name == "customer_type":
        return str(CUSTOMER_WORDS.get(value, value))  # type: ignore[call-overload]
    if name == "locale":
        return LANGUAGE_NAMES.get(str(value), str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return format_date(value, "dd-MM-yyyy")
    return str(value) if value else "–"
