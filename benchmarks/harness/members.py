"""Seeded members picked at random, to look up and log in as."""

import random
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.patron import Patron


@dataclass(frozen=True)
class Member:
    """A member who may log in: the login's id, e-mail address and main card number."""

    account_id: int
    email: str
    card: str


def random_members(engine: Engine, count: int) -> list[Member]:
    """`count` members (or fewer: the unconfirmed ones drawn are left out), drawn at random from
    all the seeded ones (the same draw every run)."""
    query = select(func.min(Patron.id), func.max(Patron.id))
    with engine.connect() as connection:
        lowest, highest = connection.execute(query).one()
        ids = random.Random(13).sample(range(lowest, highest + 1), min(count, highest - lowest + 1))
        rows = connection.execute(
            select(LoginAccount.id, LoginAccount.email, Card.number)
            .join(Patron, Patron.login_account_id == LoginAccount.id)
            .join(Card, Card.patron_id == Patron.id)
            .where(Patron.id.in_(ids), LoginAccount.confirmed_at.is_not(None))
        )
        members = [Member(account_id, email, card) for account_id, email, card in rows if email]
    random.Random(13).shuffle(members)
    return members
