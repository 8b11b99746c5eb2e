"""OpenBalie's models, one module per aggregate; importing this package registers them all."""

from shared.models import (
    account,
    card,
    catalogue,
    kiosk,
    ledger,
    mail,
    mandate,
    patron,
    payment,
    registration,
    throttle,
)

__all__ = [
    "account",
    "card",
    "catalogue",
    "kiosk",
    "ledger",
    "mail",
    "mandate",
    "patron",
    "payment",
    "registration",
    "throttle",
]
