"""Factories that build records directly through the models, for service-level tests; each
takes the moment it happens (`now`), as the services do."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.cards.numbers import CARD_PREFIX, luhn_check_digit
from shared.kiosks.devices import register_device
from shared.models.account import LoginAccount
from shared.models.card import Card, CardRole, CardStatus
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.kiosk import KioskDevice
from shared.models.patron import Gender, Patron, PaymentPlan, Subscription
from shared.models.payment import Payment, PaymentPurpose, PaymentStatus
from shared.models.registration import Registration, RegistrationState
from shared.patrons.name_keys import index_names
from shared.patrons.subscriptions import valid_through
from shared.timeutil import local_today

_counter = iter(range(1, 1_000_000))
PASSWORD = "x"


def create_account(
    session: Session, now: datetime, *, age: timedelta = timedelta(0), confirmed: bool = False
) -> LoginAccount:
    """A login account created `age` before `now`, with the password PASSWORD."""
    n = next(_counter)
    created = now - age
    account = LoginAccount(
        username=f"user{n}",
        username_key=f"user{n}",
        email=f"user{n}@example.nl",
        password_hash=hash_password(PASSWORD),
        created_at=created,
        confirmed_at=created if confirmed else None,
    )
    session.add(account)
    session.flush()
    return account


def create_registration(
    session: Session,
    account: LoginAccount | None,
    now: datetime,
    *,
    state: RegistrationState = RegistrationState.DRAFT,
    payments: tuple[PaymentStatus, ...] = (),
    age: timedelta = timedelta(0),
) -> Registration:
    """A registration for subscription 0045 with payments in the given statuses."""
    created = now - age
    registration = Registration(
        subscription_code="0045",
        login_account=account,
        state=state,
        created_at=created,
        updated_at=created,
    )
    session.add(registration)
    session.flush()
    for attempt, status in enumerate(payments, start=1):
        key = f"test-{registration.id}-{attempt}"
        create_payment(session, None, now, status=status, key=key, registration_id=registration.id)
    return registration


def create_patron(
    session: Session,
    account: LoginAccount | None,
    now: datetime,
    *,
    birth_date: date = date(1985, 4, 15),
    subscription: str | None = None,
    names: tuple[str, str, str, str] | None = None,
    address: tuple[str, str] = ("7961 AM", "12"),
) -> Patron:
    """A patron of the first branch with a temporary number, linked to a login account; with a
    subscription of that catalogue code from today, when one is named. `names` are initials,
    prefix, surname and first name (M. Dijk<n> without); `address` postcode and house number."""
    branch = session.scalars(select(Branch).order_by(Branch.id)).first()
    n = next(_counter)
    initials, prefix, surname, first_name = names or ("M.", "", f"Dijk{n}", "")
    patron = Patron(
        initials=initials,
        prefix=prefix,
        surname=surname,
        first_name=first_name,
        birth_date=birth_date,
        gender=Gender.VROUW,
        postcode=address[0],
        house_number=address[1],
        street="Dijkhuizen",
        city="Ruinerwold",
        library_email=f"patron{n}@example.nl",
        home_branch=branch,
        login_account=account,
        temporary_number=f"2X{n:08d}",
        created_at=now,
    )
    session.add(patron)
    session.flush()
    index_names(session, patron)
    if subscription is not None:
        create_subscription(session, patron, subscription, local_today(now))
    return patron


def create_subscription(
    session: Session, patron: Patron, code: str, start: date, *, end: date | None = None
) -> Subscription:
    """A subscription of the patron from `start`, paid once, valid as the catalogue says."""
    kind = session.get_one(SubscriptionType, code)
    subscription = Subscription(
        patron_id=patron.id,
        type=kind,
        start_date=start,
        end_date=end or valid_through(kind, start, patron.birth_date),
        price=kind.price,
        paid_by=PaymentPlan.ONCE,
    )
    session.add(subscription)
    session.flush()
    session.refresh(patron)
    return subscription


def create_card(
    session: Session,
    patron: Patron,
    now: datetime,
    *,
    role: CardRole = CardRole.MAIN,
    status: CardStatus = CardStatus.ACTIVE,
    chip_uid: str | None = None,
) -> Card:
    """A card of the patron's home branch with a valid number."""
    body = f"{CARD_PREFIX}{patron.home_branch.code}{next(_counter):07d}"
    card = Card(
        patron_id=patron.id,
        number=body + luhn_check_digit(body),
        role=role,
        status=status,
        chip_uid=chip_uid,
        issued_at=now,
    )
    session.add(card)
    session.flush()
    return card


def create_payment(
    session: Session,
    patron: Patron | None,
    now: datetime,
    *,
    amount: Decimal = Decimal("58.00"),
    status: PaymentStatus = PaymentStatus.PAID,
    purpose: PaymentPurpose = PaymentPurpose.REGISTRATION,
    key: str | None = None,
    **values: object,
) -> Payment:
    """A payment of the patron (or of nobody yet), known to the provider by an id of its own."""
    n = next(_counter)
    payment = Payment(
        idempotency_key=key or f"test-payment-{n}",
        provider_id=f"tr_test{n}",
        patron_id=patron.id if patron else None,
        amount=amount,
        description="Basis",
        status=status,
        purpose=purpose,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(payment)
    session.flush()
    return payment


def create_kiosk(session: Session, now: datetime, branch: str = "5270") -> KioskDevice:
    """A kiosk registered in a branch, with the sandbox's first terminal."""
    device, _token = register_device(session, f"Zuil {next(_counter)}", branch, None, now)
    return device
