"""The signup service checks the personal details itself, whichever entrance they came from."""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.errors import DomainError
from shared.models.registration import Registration
from shared.signup.registration import PersonalDetails, set_account, set_details
from shared.timeutil import local_today
from tests.support.dates import years_before
from tests.support.factories import create_account, create_registration

DETAILS = PersonalDetails(
    initials="M.J.",
    prefix="van",
    surname="Dijk",
    first_name="",
    birth_date=date(1985, 4, 15),
    gender="vrouw",
    postcode="7961 AM",
    house_number="12",
    street="Dijkhuizen",
    city="Ruinerwold",
    country="NL",
    phone="",
    library_email="",
    newsletter=False,
    iban="",
)


@pytest.fixture
def registration(db_session: Session, clock: ManualClock) -> Registration:
    """A draft with a login account, at the details step."""
    return create_registration(db_session, create_account(db_session, clock.now()), clock.now())


def refusal(db_session: Session, registration: Registration, details: PersonalDetails) -> str:
    """The code set_details refuses these details with (on the registration's day)."""
    with pytest.raises(DomainError) as refused:
        set_details(db_session, registration, details, "5270", registration.created_at)
    assert registration.details is None
    return refused.value.code


def test_a_required_field_of_spaces_is_refused(
    db_session: Session, registration: Registration
) -> None:
    assert refusal(db_session, registration, replace(DETAILS, surname="   ")) == "text_required"
    assert refusal(db_session, registration, replace(DETAILS, city="")) == "text_required"


def test_control_and_direction_characters_are_refused(
    db_session: Session, registration: Registration
) -> None:
    for text in ("Dijk\x00", "Dijk\u202ekeeR", "Dijk\u2066"):
        assert refusal(db_session, registration, replace(DETAILS, surname=text)) == (
            "text_not_allowed"
        )
    assert refusal(db_session, registration, replace(DETAILS, phone="06\x1b1")) == (
        "text_not_allowed"
    )


def test_text_longer_than_its_column_is_refused(
    db_session: Session, registration: Registration
) -> None:
    assert refusal(db_session, registration, replace(DETAILS, street="x" * 121)) == "text_too_long"


def test_an_adult_needs_no_first_name(
    db_session: Session, registration: Registration, clock: ManualClock
) -> None:
    set_details(db_session, registration, DETAILS, "5270", clock.now())
    assert registration.details is not None and registration.details["first_name"] == ""


def test_a_youth_member_needs_a_first_name(
    db_session: Session, registration: Registration, clock: ManualClock
) -> None:
    registration.subscription_code = "jeugd"
    db_session.flush()
    db_session.refresh(registration)
    youth = replace(DETAILS, birth_date=years_before(local_today(clock.now()), 12))
    assert refusal(db_session, registration, youth) == "first_name_required"
    set_details(db_session, registration, replace(youth, first_name="Sam"), "5270", clock.now())


def test_the_login_account_refuses_blank_or_control_characters(
    db_session: Session, registration: Registration, clock: ManualClock
) -> None:
    for username, email in (("  ", "a@example.nl"), ("marieke\u202e", "a@example.nl")):
        with pytest.raises(DomainError):
            set_account(db_session, registration, username, email, "pw", clock.now())
