"""Checks that the ledger holds what the payment provider holds."""

from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from shared.models.ledger import LedgerEntry
from shared.models.payment import Payment
from tests.support.mollie_sandbox import MollieSandbox


def assert_ledger_matches_the_sandbox(sandbox: MollieSandbox) -> None:
    """Every euro the sandbox calls paid is one ledger payment, and nothing else is."""
    paid = {
        p["id"]: Decimal(p["amount"]["value"]) for p in sandbox.payments() if p["status"] == "paid"
    }
    booked = db.session.execute(
        select(Payment.provider_id, LedgerEntry.amount)
        .join(Payment, LedgerEntry.payment_id == Payment.id)
        .where(LedgerEntry.entry_type == "payment")
    ).all()
    assert Counter(provider_id for provider_id, _ in booked) == Counter(paid.keys())
    assert {pid: amount for pid, amount in booked} == paid
