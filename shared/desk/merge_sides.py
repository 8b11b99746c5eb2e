"""The two records of a merge side by side, as the desk compares them before choosing: details,
subscriptions, cards, balance and login; and a fingerprint of what was shown."""

import hashlib
import json
from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.lookup import cards_of
from shared.desk.duplicates import likely_duplicates
from shared.desk.patron_numbers import Found, with_main_cards
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.mandate import Mandate
from shared.models.patron import Patron, Subscription
from shared.payments.direct_debit import mandates
from shared.payments.ledger import balance
from shared.signup.registration import PersonalDetails

# The personal details the desk chooses between, field by field.
FIELDS = (
    "initials",
    "prefix",
    "surname",
    "first_name",
    "birth_date",
    "gender",
    "postcode",
    "house_number",
    "street",
    "city",
    "country",
    "phone",
    "library_email",
    "newsletter",
    "iban",
    "home_branch_id",
    "customer_type",
    "locale",
)

# What the duplicate check compares, as a record has it; and how many of those found are shown.
DETAILS = [field.name for field in fields(PersonalDetails)]
SHOWN = 20


@dataclass(frozen=True)
class Side:
    """One record as the merge page shows it."""

    patron: Patron
    subscriptions: list[Subscription]
    cards: list[Card]
    balance: Decimal
    login: LoginAccount | None
    mandates: list[Mandate]

    def value(self, field: str) -> object:
        """The record's value of a personal field."""
        return getattr(self.patron, field)


def side_of(session: Session, patron: Patron) -> Side:
    """The record with what the desk compares of it."""
    subscriptions = sorted(patron.subscriptions, key=lambda s: (s.end_date, s.id), reverse=True)
    owed, cards = balance(session, patron.id), cards_of(session, patron)
    return Side(patron, subscriptions, cards, owed, patron.login_account, mandates(session, patron))


def fingerprint(*sides: Side) -> str:
    """A digest of what the page showed of both records: a merge sent with another one finds
    a record changed meanwhile."""
    shown = [
        [
            [str(side.value(field)) for field in FIELDS],
            [(s.id, s.status, str(s.runs_through)) for s in side.subscriptions],
            [(c.id, c.role, c.status) for c in side.cards],
            str(side.balance),
            side.login.id if side.login is not None else None,
            side.patron.merged_into_id,
            side.patron.mollie_customer_id,
            [(m.id, m.status) for m in side.mandates],
        ]
        for side in sides
    ]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]


def duplicates_of(session: Session, patron: Patron) -> list[Found]:
    """The records the patron may be a duplicate of (as registering them would have warned),
    with their main cards."""
    details = PersonalDetails(**{name: getattr(patron, name) for name in DETAILS})
    found = [p.id for p in likely_duplicates(session, details) if p.id != patron.id]
    return with_main_cards(session, found[:SHOWN])


def merged_record(session: Session, number: str) -> Patron | None:
    """The merged record whose own (temporary or system) number this is, if any."""
    own = (Patron.temporary_number == number) | (Patron.system_number == number)
    return session.scalar(select(Patron).where(own, Patron.merged_into_id.is_not(None)))
