"""Text in a patron's language written outside a request (a ledger line is written once, by a
webhook or a job, and read later by the patron)."""

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from shared.paths import TRANSLATIONS_DIR
from shared.timeutil import format_locale


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is used."""
    return message


@lru_cache(maxsize=8)
def _catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of one language (the English source text when there is none)."""
    return Translations.load(str(TRANSLATIONS_DIR), [locale])


def in_language(locale: str, message: str, **values: object) -> str:
    """The message in this language, its %(name)s placeholders filled in."""
    return _catalogue(locale).gettext(message) % values


def money_in(locale: str, amount: Decimal) -> str:
    """An amount of euros as this language writes it (€ 58,00)."""
    return format_currency(amount, "EUR", locale=format_locale(locale))


def day_in(locale: str, day: date) -> str:
    """A date written out in this language (24 december 2026)."""
    return format_date(day, "long", locale=format_locale(locale))
