"""OpenBalie's models, one module per aggregate; importing this package registers them all."""

from shared.models import account, catalogue, mail, patron, payment, registration

__all__ = ["account", "catalogue", "mail", "patron", "payment", "registration"]
