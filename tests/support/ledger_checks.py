"""Checks that the ledger holds what the payment provider holds."""

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import or_, select

from portal.extensions import db
from shared.models.ledger import LedgerEntry
from shared.models.payment import Payment
from shared.payments.ledger import SIGNS
from tests.support.mollie_sandbox import MollieSandbox

CHARGEBACK_KEYS = ("charge:chargeback:", "credit:chargeback-reversed:")


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


def assert_chargebacks_match_the_sandbox(sandbox: MollieSandbox) -> None:
    """What the bank holds at the sandbox (each chargeback not reversed) is what the ledger
    charges for it, less what it credits back, and what our payment counts charged back."""
    reported = list(sandbox.client().chargebacks.list())
    held = {c.id: Decimal(0 if c.reversed_at else c.amount["value"]) for c in reported}
    booked = dict.fromkeys(held, Decimal(0))
    for key, kind, amount in db.session.execute(
        select(LedgerEntry.dedupe_key, LedgerEntry.entry_type, LedgerEntry.amount).where(
            or_(*(LedgerEntry.dedupe_key.startswith(prefix) for prefix in CHARGEBACK_KEYS))
        )
    ):
        chargeback_id = key.rpartition(":")[2]
        booked[chargeback_id] = booked.get(chargeback_id, Decimal(0)) + SIGNS[kind] * amount
    assert booked == held
    by_payment: defaultdict[str, Decimal] = defaultdict(Decimal)
    for chargeback in reported:
        by_payment[chargeback.payment_id] += held[chargeback.id]
    ours = select(Payment.provider_id, Payment.amount_charged_back).where(
        Payment.provider_id.in_(by_payment)
    )
    assert dict(db.session.execute(ours).all()) == dict(by_payment)
