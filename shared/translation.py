"""Text in a patron's language written outside a request (a ledger line is written once, by a
webhook or a job, and read later by the patron)."""

from functools import lru_cache

from babel.support import NullTranslations, Translations

from shared.paths import TRANSLATIONS_DIR


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
