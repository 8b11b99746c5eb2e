"""Amounts on pages: written as Flask-Babel writes them, remembered per amount and locale."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency

from portal.i18n import currency_formatter

AMOUNTS = (Decimal("58.00"), Decimal("0"), Decimal("-0.00"), Decimal("4.5"), 0, Decimal("-12.30"))


def test_amounts_are_written_as_babel_writes_them_however_often_asked() -> None:
    for name in ("nl_NL", "en_GB"):
        locale = Locale.parse(name)
        write = currency_formatter(locale)
        for _ in range(2):  # the second time from what was remembered
            assert [write(amount, "EUR") for amount in AMOUNTS] == [
                format_currency(amount, "EUR", locale=locale) for amount in AMOUNTS
            ]
