"""Money as exact decimals: parsing and Mollie's string form."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_amount(value: str | int | Decimal) -> Decimal:
    """An exact euro amount with two decimals; floats are refused."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def mollie_amount(value: Decimal, currency: str = "EUR") -> dict[str, str]:
    """Mollie's amount object: the value as a string with two decimals."""
    return {"currency": currency, "value": f"{to_amount(value):.2f}"}
