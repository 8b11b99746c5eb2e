"""OpenBalie's models, one module per aggregate; importing this package registers them all."""

from shared.models import (
    account,
    audit,
    card,
    catalogue,
    id_check,
    kiosk,
    ledger,
    mail,
    mandate,
    oidc,
    patron,
    payment,
    provider_alarm,
    registration,
    staff,
    throttle,
)

__all__ = [
    "account",
    "audit",
    "card",
    "catalogue",
    "id_check",
    "kiosk",
    "ledger",
    "mail",
    "mandate",
    "oidc",
    "patron",
    "payment",
    "provider_alarm",
    "registration",
    "staff",
    "throttle",
]
