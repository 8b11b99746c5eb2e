"""Synthetic members in bulk, to measure OpenBalie at the size of a province: each with a
confirmed login, an active main card, a current subscription and its paid payment; one in 200
left unconfirmed for longer than a day, one in 20 paying by direct debit. Rows go in with
executemany, a batch at a time; never for a real library."""

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.cards.numbers import CARD_PREFIX, luhn_check_digit
from shared.db import number_after_highest_ids
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.patron import Gender, Patron, PaymentPlan, Subscription
from shared.models.payment import Payment, PaymentPurpose, PaymentStatus
from shared.patrons.name_keys import add_name_keys, key_rows
from shared.patrons.subscriptions import valid_through
from shared.timeutil import local_today

BATCH = 10_000
UNCONFIRMED_ONE_IN = 200
DIRECT_DEBIT_ONE_IN = 20
SUBSCRIPTION = "0045"
FIRST_NAMES = [
    "Anna",
    "Daan",
    "Emma",
    "Finn",
    "Julia",
    "Lars",
    "Lotte",
    "Milan",
    "Noah",
    "Sanne",
    "Sem",
    "Sophie",
    "Thijs",
    "Tess",
    "Bram",
    "Eva",
    "Jesse",
    "Fleur",
    "Luuk",
    "Iris",
    "Ruben",
    "Lisa",
    "Stijn",
    "Femke",
    "Joris",
    "Noor",
    "Koen",
    "Maud",
    "Wouter",
    "Sara",
]
SURNAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
]
STREETS = ("Dijkhuizen", "Hoofdstraat", "Kerkstraat", "Stationsweg", "Schoolstraat", "Molenweg")


@dataclass(frozen=True)
class Member:
    """The names of one synthetic member."""

    first_name: str
    prefix: str
    surname: str


def seed_patrons(session: Session, count: int, password: str, now: datetime) -> int:
    """Add `count` synthetic members (one password hash for all); how many were added."""
    catalogue = _Catalogue.of(session, now)
    password_hash = hash_password(password)
    # One number for the member's rows in every table: after the highest id in any of them.
    first_id = max(session.scalar(select(func.max(kind.id))) or 0 for kind in _TABLES) + 1
    for start in range(first_id, first_id + count, BATCH):
        stop = min(start + BATCH, first_id + count)
        _insert_batch(session, range(start, stop), catalogue, password_hash, now)
    number_after_highest_ids(session, _TABLES)
    session.commit()
    return count


@dataclass(frozen=True)
class _Catalogue:
    """What every member shares: the branches, the subscription and its dates and price."""

    branches: list[tuple[int, str]]
    price: Decimal
    start: date
    end: date

    @classmethod
    def of(cls, session: Session, now: datetime) -> "_Catalogue":
        """Read from the loaded catalogue."""
        branches = [(b.id, b.code) for b in session.scalars(select(Branch).order_by(Branch.id))]
        kind = session.get_one(SubscriptionType, SUBSCRIPTION)
        start = local_today(now)
        return cls(branches, kind.price, start, valid_through(kind, start))


def _insert_batch(
    session: Session, ids: range, catalogue: _Catalogue, password_hash: str, now: datetime
) -> None:
    """One batch of members, account id = patron id = card id = subscription id = payment id
    offset alike, so the rows point at each other without reading anything back."""
    rows: dict[type, list[dict[str, Any]]] = {kind: [] for kind in _TABLES}
    for number in ids:
        for kind, row in _member_rows(number, catalogue, password_hash, now):
            rows[kind].append(row)
    for kind in _TABLES:
        session.execute(insert(kind), rows[kind])
    add_name_keys(session, [key for patron in rows[Patron] for key in _name_keys(patron)])
    session.commit()


def _name_keys(patron: dict[str, Any]) -> list[dict[str, Any]]:
    """The search's keys of a patron row."""
    names = (patron["initials"], patron["prefix"], patron["surname"], patron["first_name"])
    return key_rows(patron["id"], *names)


def _member_rows(
    number: int, catalogue: _Catalogue, password_hash: str, now: datetime
) -> Iterator[tuple[type, dict[str, Any]]]:
    """The rows of one member, in the order their foreign keys need."""
    rng = random.Random(number)
    member = Member(rng.choice(FIRST_NAMES), *_split(rng.choice(SURNAMES)))
    email = f"{member.first_name}.{member.surname.replace(' ', '')}.{number}@example.nl".lower()
    unconfirmed = number % UNCONFIRMED_ONE_IN == 0
    created = now - timedelta(days=2 if unconfirmed else rng.randint(2, 2000))
    branch_id, branch_code = catalogue.branches[number % len(catalogue.branches)]
    yield LoginAccount, _account(number, email, password_hash, created, unconfirmed)
    yield Patron, _patron(number, member, email, branch_id, created, rng)
    yield Card, _card(number, branch_code, created)
    plan = PaymentPlan.DIRECT_DEBIT if number % DIRECT_DEBIT_ONE_IN == 0 else PaymentPlan.ONCE
    yield Subscription, _subscription(number, catalogue, plan)
    yield Payment, _payment(number, catalogue, created)


def _split(surname: str) -> tuple[str, str]:
    """Prefix (tussenvoegsel) and surname: "van der Meer" is "van der" and "Meer"."""
    *prefix, last = surname.split(" ")
    return " ".join(prefix), last


def _account(
    number: int, email: str, password_hash: str, created: datetime, unconfirmed: bool
) -> dict[str, Any]:
    """A login account named after the e-mail address."""
    username = email.split("@")[0]
    return {
        "id": number,
        "username": username,
        "username_key": username,
        "email": email,
        "password_hash": password_hash,
        "created_at": created,
        "confirmed_at": None if unconfirmed else created,
    }


def _patron(
    number: int, member: Member, email: str, branch_id: int, created: datetime, rng: random.Random
) -> dict[str, Any]:
    """The patron record, adult, with an address in Drenthe."""
    return {
        "id": number,
        "initials": f"{member.first_name[0]}.",
        "first_name": member.first_name,
        "prefix": member.prefix,
        "surname": member.surname,
        "birth_date": date(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365)),
        "gender": rng.choice([Gender.VROUW, Gender.MAN]),
        "postcode": f"{rng.randint(7700, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}A",
        "house_number": str(rng.randint(1, 250)),
        "street": rng.choice(STREETS),
        "city": "Ruinerwold",
        "library_email": email,
        "library_email_confirmed_at": created,
        "home_branch_id": branch_id,
        "lending_blocked": False,
        "login_account_id": number,
        "created_at": created,
    }


def _card(number: int, branch_code: str, created: datetime) -> dict[str, Any]:
    """An active main card: 2, the branch code, the member's number, a Luhn digit."""
    body = f"{CARD_PREFIX}{branch_code}{number:07d}"
    return {
        "id": number,
        "patron_id": number,
        "number": body + luhn_check_digit(body),
        "issued_at": created,
    }


def _subscription(number: int, catalogue: _Catalogue, plan: PaymentPlan) -> dict[str, Any]:
    """The current Basis subscription."""
    return {
        "id": number,
        "patron_id": number,
        "type_code": SUBSCRIPTION,
        "start_date": catalogue.start,
        "end_date": catalogue.end,
        "price": catalogue.price,
        "paid_by": plan,
        # A direct debit runs as a schedule at the provider (one that does not exist there).
        "mollie_subscription_id": f"sub_seed{number}" if plan == PaymentPlan.DIRECT_DEBIT else None,
    }


def _payment(number: int, catalogue: _Catalogue, created: datetime) -> dict[str, Any]:
    """Its paid payment."""
    return {
        "id": number,
        "reference": f"seed{number:020d}",
        "webhook_secret": secrets.token_hex(8),
        "idempotency_key": f"seed-{number}",
        "provider_id": f"tr_seed{number}",
        "patron_id": number,
        "subscription_id": number,
        "amount": catalogue.price,
        "description": "Basis (seed)",
        "status": PaymentStatus.PAID,
        "purpose": PaymentPurpose.PERIOD,
        "created_at": created,
        "updated_at": created,
        "paid_at": created,
    }


_TABLES = (LoginAccount, Patron, Card, Subscription, Payment)
