"""OpenBalie's models, one module per aggregate; importing this package registers them all."""

from shared.models import (
    account,
    catalogue,
    kiosk,
    ledger,
    mail,
    mandate,
    patron,
    payment,
    registration,
)

__all__ = [
    "account",
    "catalogue",
    "kiosk",
    "ledger",
    "mail",
    "mandate",
    "patron",
    "payment",
    "registration",
]
