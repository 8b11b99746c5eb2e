"""The Babel locale the kiosk writes dates and amounts in, for each of its languages."""

# English at a Dutch library's kiosk: English words, but euros as the Netherlands writes them
# (€ 12,50, on screen and on paper) and dates as in Britain (3 December 2026). The portal keeps
# its own English (shared.timeutil.FORMAT_LOCALES).
KIOSK_LOCALES = {"en": "en_NL"}


def kiosk_locale(language: str) -> str:
    """The locale for a language of the kiosk ("en" → "en_NL", "nl" → "nl")."""
    return KIOSK_LOCALES.get(language, language)
