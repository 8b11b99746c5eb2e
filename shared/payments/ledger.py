"""What a patron owes: charges, payments and refunds, each recorded once, summed on demand."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import insert_all_or_ignore, insert_or_ignore
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.payment import Payment, Refund
from shared.money import to_amount
from shared.text import require_text

SIGNS = {EntryType.CHARGE: 1, EntryType.PAYMENT: -1, EntryType.REFUND: 1, EntryType.WAIVER: -1}
WITHDRAWN = "withdrawn:"  # how the key of a charge's withdrawal begins
WAIVED = "waiver:"  # how the key of a charge's waiver begins
# Lines that pay their own charge first, by how their key begins.
OWN_CHARGE = (WITHDRAWN, WAIVED)


@dataclass
class OpenCharge:
    """What is still owed of one charge (or of money given back)."""

    description: str
    amount: Decimal
    key: str = ""  # the key it was booked under (a charge's as given to `charge`)
    paid_by: dict[int, Decimal] = field(default_factory=dict)  # by payment id, what it paid


@dataclass
class _Credit:
    """Money on the ledger not spent on charges yet: from a payment (its id), or a credit."""

    payment_id: int | None
    amount: Decimal


def record(
    session: Session,
    patron_id: int,
    entry_type: EntryType,
    amount: Decimal,
    description: str,
    dedupe_key: str,
    now: datetime,
    **links: int | None,
) -> None:
    """Add an entry once: a second call with the same key changes nothing."""
    values = _entry(patron_id, entry_type, (amount, description, dedupe_key), now) | links
    session.flush()
    insert_or_ignore(session, LedgerEntry, values)


def _entry(
    patron_id: int, entry_type: EntryType, line: tuple[Decimal, str, str], now: datetime
) -> dict[str, object]:
    """The values of a ledger entry (the line's amount, description and key); a zero or
    negative amount is refused."""
    amount, description, dedupe_key = line
    if to_amount(amount) <= 0:
        raise ValueError("ledger amounts are positive; the entry type gives the sign")
    return {
        "patron_id": patron_id,
        "entry_type": entry_type,
        "amount": to_amount(amount),
        "description": description[:255],
        "dedupe_key": dedupe_key,
        "created_at": now,
    }


@dataclass(frozen=True)
class Charge:
    """Something a patron owes, to be booked once under its key."""

    patron_id: int
    amount: Decimal
    description: str
    dedupe_key: str
    subscription_id: int | None = None


def charge(
    session: Session,
    patron_id: int,
    amount: Decimal,
    description: str,
    dedupe_key: str,
    now: datetime,
    subscription_id: int | None = None,
) -> None:
    """Something the patron owes: a contribution, a period, a fee."""
    charge_all(session, [Charge(patron_id, amount, description, dedupe_key, subscription_id)], now)


def charge_all(session: Session, charges: Sequence[Charge], now: datetime) -> None:
    """What patrons owe, each booked once (in one statement)."""
    rows = []
    for owed in charges:
        require_text("description", owed.description, LedgerEntry.description)
        line = (owed.amount, owed.description, f"charge:{owed.dedupe_key}")
        entry = _entry(owed.patron_id, EntryType.CHARGE, line, now)
        rows.append(entry | {"subscription_id": owed.subscription_id})
    session.flush()
    insert_all_or_ignore(session, LedgerEntry, rows)


def credit(
    session: Session,
    patron_id: int,
    amount: Decimal,
    description: str,
    dedupe_key: str,
    now: datetime,
    subscription_id: int | None = None,
) -> None:
    """Money the patron no longer owes that no payment of theirs brought (a chargeback the bank
    reversed): it lowers the balance as a payment does."""
    line = (amount, description, f"credit:{dedupe_key}")
    _book(session, patron_id, EntryType.PAYMENT, line, now, subscription_id)


def _book(
    session: Session,
    patron_id: int,
    entry_type: EntryType,
    line: tuple[Decimal, str, str],
    now: datetime,
    subscription_id: int | None,
) -> None:
    """A line booked by the library itself (amount, description, key), its text checked."""
    amount, description, key = line
    require_text("description", description, LedgerEntry.description)
    record(
        session,
        patron_id,
        entry_type,
        amount,
        description,
        key,
        now,
        subscription_id=subscription_id,
    )


def withdraw(
    session: Session,
    patron_id: int,
    charge_key: str,
    description: str,
    now: datetime,
    subscription_id: int | None = None,
) -> None:
    """Take back the charge of this key (as given to `charge`), once: a line that pays that
    charge first, whatever else is open; what was paid of it becomes credit."""
    amount = session.scalar(
        select(LedgerEntry.amount).where(LedgerEntry.dedupe_key == f"charge:{charge_key}")
    )
    if amount is not None:
        line = (amount, description, f"{WITHDRAWN}{charge_key}")
        _book(session, patron_id, EntryType.PAYMENT, line, now, subscription_id)


def waive(
    session: Session, patron_id: int, charge_key: str, description: str, now: datetime
) -> Decimal:
    """Let go what is still open of the charge of this key (as given to `charge`), once: a
    waiver line that pays that charge; what was waived (zero when nothing was open)."""
    owed = next((c.amount for c in open_charges(session, patron_id) if c.key == charge_key), None)
    if owed is None:
        return Decimal("0.00")
    require_text("description", description, LedgerEntry.description)
    record(session, patron_id, EntryType.WAIVER, owed, description, f"{WAIVED}{charge_key}", now)
    return to_amount(owed)


def charged(session: Session, dedupe_keys: Collection[str]) -> set[str]:
    """Which of these keys (as given to `charge`) a charge was booked under, in one query."""
    booked = [f"charge:{key}" for key in dedupe_keys]
    query = select(LedgerEntry.dedupe_key).where(LedgerEntry.dedupe_key.in_(booked))
    return {key.removeprefix("charge:") for key in session.scalars(query)}


def record_payment(session: Session, payment: Payment, now: datetime) -> None:
    """The money of a paid payment, credited to its patron once."""
    if payment.patron_id is None:
        raise ValueError(f"payment {payment.reference} has no patron to credit")
    record(
        session,
        payment.patron_id,
        EntryType.PAYMENT,
        payment.amount,
        payment.description,
        f"payment:{payment.id}",
        now,
        payment_id=payment.id,
        subscription_id=payment.subscription_id,
    )


def record_refund(session: Session, refund: Refund, payment: Payment, now: datetime) -> None:
    """Money given back to the patron, once per refund."""
    if payment.patron_id is None:
        return
    record(
        session,
        payment.patron_id,
        EntryType.REFUND,
        refund.amount,
        refund.description,
        f"refund:{refund.id}",
        now,
        payment_id=payment.id,
        refund_id=refund.id,
    )


def balance(session: Session, patron_id: int) -> Decimal:
    """What the patron owes now (negative: the library owes the patron), summed as decimals."""
    rows = session.execute(
        select(LedgerEntry.entry_type, LedgerEntry.amount).where(LedgerEntry.patron_id == patron_id)
    )
    return to_amount(sum((amount * SIGNS[kind] for kind, amount in rows), Decimal(0)))


def balances(session: Session, patron_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each of these patrons owes now, in one query (summed as decimals, as `balance`)."""
    ids = set(patron_ids)
    owed = dict.fromkeys(ids, Decimal(0))
    rows = session.execute(
        select(LedgerEntry.patron_id, LedgerEntry.entry_type, LedgerEntry.amount).where(
            LedgerEntry.patron_id.in_(list(ids))
        )
    )
    for patron_id, kind, amount in rows:
        owed[patron_id] += amount * SIGNS[kind]
    return {patron_id: to_amount(amount) for patron_id, amount in owed.items()}


def entries(session: Session, patron_id: int) -> list[LedgerEntry]:
    """The patron's ledger, oldest first."""
    return _ledgers(session, [patron_id])[patron_id]


def _ledgers(session: Session, patron_ids: Collection[int]) -> dict[int, list[LedgerEntry]]:
    """Each of these patrons' ledger, oldest first, in one query."""
    ledgers: dict[int, list[LedgerEntry]] = {patron_id: [] for patron_id in patron_ids}
    query = select(LedgerEntry).where(LedgerEntry.patron_id.in_(list(ledgers)))
    for entry in session.scalars(query.order_by(LedgerEntry.id)):
        ledgers[entry.patron_id].append(entry)
    return ledgers


def open_charges(
    session: Session, patron_id: int, earmarks: Mapping[int, str] | None = None
) -> list[OpenCharge]:
    """The charges not paid yet, oldest first (see `_paid_charges`)."""
    return [c for c in _paid_charges(session, patron_id, earmarks or {}) if c.amount > 0]


def open_amount(
    session: Session, patron_id: int, keys: Collection[str], earmarks: Mapping[int, str]
) -> Decimal:
    """What is still owed of the charges booked under these keys (see `open_charges`)."""
    return open_amounts(session, [(patron_id, keys, earmarks)])[0]


def open_amounts(
    session: Session, asked: Sequence[tuple[int, Collection[str], Mapping[int, str]]]
) -> list[Decimal]:
    """What is still owed of each (patron, keys, earmarks) asked, as `open_amount`: the
    patrons' ledgers read in one query."""
    ledgers = _ledgers(session, {patron_id for patron_id, _, _ in asked})
    return [
        sum((c.amount for c in _paid(ledgers[patron_id], earmarks) if c.key in keys), Decimal(0))
        for patron_id, keys, earmarks in asked
    ]


def paid_by(
    session: Session, patron_id: int, key: str, earmarks: Mapping[int, str]
) -> dict[int, Decimal]:
    """What each payment paid of the charge booked under this key (see `_paid_charges`)."""
    charges = _paid_charges(session, patron_id, earmarks)
    return next((c.paid_by for c in charges if c.key == key), {})


def _paid_charges(
    session: Session, patron_id: int, earmarks: Mapping[int, str]
) -> list[OpenCharge]:
    """Every charge of the patron with what is still owed of it and what each payment paid of
    it, oldest first (see `_paid`)."""
    return _paid(entries(session, patron_id), earmarks)


def _paid(ledger: Iterable[LedgerEntry], earmarks: Mapping[int, str]) -> list[OpenCharge]:
    """Every charge of a ledger with what is still owed of it and what each payment paid of it,
    oldest first: payments pay the oldest charges first (one earmarked for a charge pays that
    one first: by payment id, the charge's key; a withdrawal or a waiver its own charge), and a
    credit pays the charges that come after it."""
    charges: list[OpenCharge] = []
    credits: list[_Credit] = []
    for entry in ledger:
        if SIGNS[entry.entry_type] < 0:  # a payment or a waiver
            credits.append(_Credit(entry.payment_id, entry.amount))
            key = _earmark(entry, earmarks)
            _pay_oldest([c for c in charges if c.key == key], credits)
        else:
            key = entry.dedupe_key.removeprefix("charge:")
            charges.append(OpenCharge(entry.description, entry.amount, key))
        _pay_oldest(charges, credits)
    return charges


def _earmark(entry: LedgerEntry, earmarks: Mapping[int, str]) -> str | None:
    """The key of the charge a payment line pays first: a withdrawal's or a waiver's own
    charge, or the one earmarked for its payment."""
    own = next((p for p in OWN_CHARGE if entry.dedupe_key.startswith(p)), None)
    if own is not None:
        return entry.dedupe_key.removeprefix(own)
    return earmarks.get(entry.payment_id or 0)


def _pay_oldest(charges: list[OpenCharge], credits: list[_Credit]) -> None:
    """Pay the oldest open charges from the oldest credits, noting which payment paid what;
    spent credits are dropped."""
    for charge in charges:
        for credit in credits:
            paid = min(charge.amount, credit.amount)
            charge.amount -= paid
            credit.amount -= paid
            if paid > 0 and credit.payment_id is not None:
                before = charge.paid_by.get(credit.payment_id, Decimal(0))
                charge.paid_by[credit.payment_id] = before + paid
    credits[:] = [credit for credit in credits if credit.amount > 0]
