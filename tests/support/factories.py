"""Factories that build records directly through the models, for service-level tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.models.registration import Registration, RegistrationState
from shared.timeutil import utcnow

_counter = iter(range(1, 1_000_000))


def create_account(
    session: Session, *, age: timedelta = timedelta(0), confirmed: bool = False
) -> LoginAccount:
    """A login account created `age` ago."""
    n = next(_counter)
    created = utcnow() - age
    account = LoginAccount(
        username=f"user{n}",
        username_key=f"user{n}",
        email=f"user{n}@example.nl",
        password_hash=hash_password("x"),
        created_at=created,
        confirmed_at=created if confirmed else None,
    )
    session.add(account)
    session.flush()
    return account


def create_registration(
    session: Session,
    account: LoginAccount | None,
    *,
    state: str = RegistrationState.DRAFT,
    payments: tuple[str, ...] = (),
    age: timedelta = timedelta(0),
) -> Registration:
    """A registration for subscription 0045 with payments in the given statuses."""
    registration = Registration(
        subscription_code="0045", login_account=account, state=state, created_at=utcnow() - age
    )
    session.add(registration)
    session.flush()
    for attempt, status in enumerate(payments, start=1):
        session.add(
            Payment(
                idempotency_key=f"test-{registration.id}-{attempt}",
                registration_id=registration.id,
                amount=Decimal("58.00"),
                description="Basis",
                status=status,
            )
        )
    session.flush()
    return registration


def create_patron(
    session: Session, account: LoginAccount | None, when: datetime | None = None
) -> Patron:
    """A patron with a temporary number, linked to a login account."""
    branch = session.scalars(select(Branch)).first()
    n = next(_counter)
    patron = Patron(
        initials="M.",
        surname=f"Dijk{n}",
        birth_date=date(1985, 4, 15),
        gender="vrouw",
        postcode="7961 AM",
        house_number="12",
        street="Dijkhuizen",
        city="Ruinerwold",
        library_email=f"patron{n}@example.nl",
        home_branch=branch,
        login_account=account,
        temporary_number=f"2X{n:08d}",
        created_at=when or utcnow(),
    )
    session.add(patron)
    session.flush()
    return patron
