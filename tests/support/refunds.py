"""Racing refund requests, each on its own app context (its own database session)."""

import threading
from decimal import Decimal

from flask import Flask

from portal.extensions import db
from portal.wiring import now, payment_provider
from shared.errors import DomainError
from shared.models.payment import Payment
from shared.payments.refunds import refund_payment_committing


def race_refunds(app: Flask, payment_id: int, amount: Decimal, requests: int) -> list[str]:
    """Ask for the same refund `requests` times at once; each outcome ('ok' or the refusal)."""
    outcomes: list[str] = []
    start = threading.Barrier(requests, timeout=60)

    def ask() -> None:
        start.wait()
        with app.app_context():
            payment = db.session.get_one(Payment, payment_id)
            try:
                provider = payment_provider()
                refund_payment_committing(db.session, payment, amount, "", provider, now())
                outcomes.append("ok")
            except DomainError as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
