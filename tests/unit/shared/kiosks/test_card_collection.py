"""Collecting a card at a kiosk: a number only after an ID check there, one per chip, and the
encoded card becomes the main card exactly once."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.issuing import activate_card
from shared.cards.lookup import main_card
from shared.cards.numbers import luhn_check_digit
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.kiosks.card_collection import reserve_card
from shared.kiosks.id_checks import VALID_FOR, DocumentReading, record_reading
from shared.mail.settings import MailSettings
from shared.models.card import Card, CardStatus
from shared.models.id_check import IdCheckOutcome
from shared.models.kiosk import KioskDevice
from shared.models.mail import OutboxMail
from shared.models.patron import Patron, SubscriptionStatus
from shared.timeutil import LOCAL_TZ, local_today
from tests.support.factories import create_account, create_card, create_kiosk, create_patron

CHIP, OTHER_CHIP = "04A1B2C3D4E5F6", "04FFEEDDCCBBAA"
MAIL = MailSettings("secret", "Bibliotheek <noreply@bieb.example>", *[lambda token: token] * 5)


@pytest.fixture
def kiosk(db_session: Session, clock: ManualClock) -> KioskDevice:
    """A kiosk in Ruinerwold."""
    return create_kiosk(db_session, clock.now())


@pytest.fixture
def newcomer(db_session: Session, clock: ManualClock) -> Patron:
    """A patron with a Basis subscription (it includes a card), a login, and no card yet."""
    account = create_account(db_session, clock.now(), confirmed=True)
    account.username = account.username_key = "2x00000001"
    patron = create_patron(db_session, account, clock.now(), subscription="0045")
    patron.temporary_number = "2X00000001"
    return patron


def verify(
    session: Session,
    patron: Patron,
    kiosk: KioskDevice,
    clock: ManualClock,
    expiry: date = date(2031, 6, 30),
) -> IdCheckOutcome:
    """A matching ID document (valid through `expiry`) read at the kiosk, now; the outcome."""
    reading = DocumentReading(
        "P", patron.surname.upper(), patron.birth_date, expiry_date=expiry, sod_hash_ok=True
    )
    return record_reading(session, patron, kiosk.id, reading, clock.now()).outcome


def test_a_document_valid_through_today_in_amsterdam_is_not_expired(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    # 22:30 UTC on 30 June is 1 July in Amsterdam: a document valid through 30 June expired.
    clock.set(datetime(2040, 6, 30, 23, 30, tzinfo=LOCAL_TZ))
    assert verify(db_session, newcomer, kiosk, clock, date(2040, 6, 30)) == "verified"
    clock.set(datetime(2040, 7, 1, 0, 30, tzinfo=LOCAL_TZ))
    assert clock.now().day == 30  # still 30 June in UTC
    assert verify(db_session, newcomer, kiosk, clock, date(2040, 6, 30)) == "expired"


@pytest.mark.parametrize(
    ("status", "ends_in_days", "code"),
    [
        (SubscriptionStatus.NORMAL, -1, "subscription_not_valid"),
        (SubscriptionStatus.CANCELLED, -1, "subscription_not_valid"),
        (SubscriptionStatus.INVALID, 30, "subscription_refused"),
        (SubscriptionStatus.BLACKLISTED, 30, "subscription_refused"),
        (SubscriptionStatus.BLACKLISTED, -1, "subscription_refused"),  # the desk's word first
    ],
)
def test_no_card_on_a_subscription_that_is_not_valid(
    db_session: Session,
    clock: ManualClock,
    kiosk: KioskDevice,
    newcomer: Patron,
    status: SubscriptionStatus,
    ends_in_days: int,
    code: str,
) -> None:
    verify(db_session, newcomer, kiosk, clock)
    card = reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    subscription = newcomer.subscriptions[0]
    subscription.status = status
    subscription.end_date = local_today(clock.now()) + timedelta(days=ends_in_days)
    for attempt in (
        lambda: reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now()),
        lambda: activate_card(db_session, newcomer, card.number, CHIP, MAIL, clock.now()),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == code


def test_a_cancelled_subscription_gives_a_card_until_its_end(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    subscription = newcomer.subscriptions[0]
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.end_date = local_today(clock.now())
    verify(db_session, newcomer, kiosk, clock)
    card = reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    assert activate_card(db_session, newcomer, card.number, CHIP, MAIL, clock.now()) == card


def test_no_number_without_a_recent_id_check_at_this_kiosk(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    elsewhere = create_kiosk(db_session, clock.now())
    verify(db_session, newcomer, elsewhere, clock)
    with pytest.raises(DomainError) as refused:
        reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    assert refused.value.code == "id_not_verified"
    verify(db_session, newcomer, kiosk, clock)
    clock.advance(VALID_FOR + timedelta(seconds=1))
    with pytest.raises(DomainError) as late:
        reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    assert late.value.code == "id_not_verified"


def test_the_same_chip_gets_the_same_number_a_branch_number_with_its_check_digit(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    verify(db_session, newcomer, kiosk, clock)
    card = reserve_card(db_session, newcomer, kiosk.id, CHIP.lower(), clock.now())
    again = reserve_card(db_session, newcomer, kiosk.id, f"{CHIP[:2]}:{CHIP[2:]}", clock.now())
    assert again.id == card.id and card.status == CardStatus.PENDING
    number = card.number
    assert number.startswith("2" + newcomer.home_branch.code) and len(number) == 13
    assert luhn_check_digit(number[:-1]) == number[-1]


def test_a_chip_in_use_is_refused_and_another_patrons_reservation_is_taken_over(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    holder = create_patron(db_session, None, clock.now(), subscription="0045")
    create_card(db_session, holder, clock.now(), chip_uid=OTHER_CHIP)
    verify(db_session, newcomer, kiosk, clock)
    with pytest.raises(DomainError) as refused:
        reserve_card(db_session, newcomer, kiosk.id, OTHER_CHIP, clock.now())
    assert refused.value.code == "chip_in_use"
    other = create_patron(db_session, None, clock.now(), subscription="0045")
    verify(db_session, other, kiosk, clock)
    abandoned = reserve_card(db_session, other, kiosk.id, CHIP, clock.now()).number
    mine = reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    on_chip = db_session.scalars(select(Card.number).where(Card.chip_uid == CHIP)).all()
    assert mine.patron_id == newcomer.id and on_chip == [mine.number] != [abandoned]


def test_a_patron_with_a_card_or_without_a_card_subscription_needs_none(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice
) -> None:
    digital = create_patron(db_session, None, clock.now(), subscription="0141")
    carded = create_patron(db_session, None, clock.now(), subscription="0045")
    create_card(db_session, carded, clock.now())
    for patron in (digital, carded):
        verify(db_session, patron, kiosk, clock)
        with pytest.raises(DomainError) as refused:
            reserve_card(db_session, patron, kiosk.id, CHIP, clock.now())
        assert refused.value.code == "card_not_needed"


def test_activation_makes_the_main_card_once_renames_the_login_and_mails_the_number(
    db_session: Session, clock: ManualClock, kiosk: KioskDevice, newcomer: Patron
) -> None:
    verify(db_session, newcomer, kiosk, clock)
    card = reserve_card(db_session, newcomer, kiosk.id, CHIP, clock.now())
    clock.advance(90)
    for _ in range(2):
        active = activate_card(db_session, newcomer, card.number, CHIP, MAIL, clock.now())
    assert active.id == card.id and active.issued_at == clock.now()
    assert main_card(db_session, newcomer) == card and not newcomer.lending_blocked
    assert newcomer.login_account and newcomer.login_account.username == card.number
    mails = db_session.scalars(select(OutboxMail.kind)).all()
    assert mails == ["new_card"]
    with pytest.raises(DomainError) as wrong_chip:
        activate_card(db_session, newcomer, card.number, OTHER_CHIP, MAIL, clock.now())
    assert wrong_chip.value.code == "chip_mismatch"
