"""Guest patrons (seed 003): registered on their own card with its home library asked over SIP2 on
a real server, or unverified without one; refused when blocked at home; two libraries' cards with
the same digits are two guests; the nightly check through `memberships run-daily` extends and
ends a guest subscription; an expired guest registered again."""

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.refusals import refusal_message
from portal.wiring import now
from shared.clock import ManualClock
from shared.desk.merge import Choice, merge_committing
from shared.desk.merge_sides import fingerprint, side_of
from shared.desk.search import search_patrons
from shared.errors import DomainError
from shared.guests.directory import load_home_libraries
from shared.guests.home_library import HomeCheck
from shared.guests.home_person import split_name
from shared.guests.registration import HomeCard, Registered, ask_home, register_guest
from shared.models.catalogue import Branch
from shared.models.guest import GuestHome, Verification
from shared.models.patron import CustomerType, Patron
from shared.signup.registration import PersonalDetails
from tests.support.dates import noon_on
from tests.support.factories import create_account, create_patron
from tests.support.sip2_home_library import (
    INSTITUTION,
    LOGIN,
    HomeLibraryServer,
    HomePatron,
    running_home_library,
)
from tests.unit.shared.signup.test_details import DETAILS

DAY = date(2026, 12, 7)
CARD = "28415000012345"
OTHER_ISIL = "NL-083485"  # Nieuwegein: not configured, its guests are unverified
BLOCKED = "28415000067890"
SECOND = "28415000054321"
SJOUKJE = HomePatron(
    "Brouwer, Sjoukje de",
    date(1985, 4, 15),
    date(2027, 3, 31),
    "sjoukje@example.nl",
    "Dorpsstraat 12a, 9166 PT Schiermonnikoog",
)
DOCUMENT = replace(DETAILS, library_email="marieke@example.nl")  # as on the ID document


@pytest.fixture
def home_server() -> Iterator[tuple[HomeLibraryServer, int]]:
    """Schiermonnikoog's library on a local SIP2 port, knowing Sjoukje and a blocked patron."""
    server = HomeLibraryServer()
    server.patrons[CARD] = SJOUKJE
    server.patrons[BLOCKED] = HomePatron(
        "Visser, Hein", date(1970, 1, 2), date(2027, 1, 31), blocked="Klant is geblokkeerd"
    )
    with running_home_library(server) as port:
        yield server, port


@pytest.fixture
def homes_file(tmp_path: Path, home_server: tuple[HomeLibraryServer, int]) -> Path:
    """HOME_LIBRARIES_FILE naming Schiermonnikoog's SIP2 server."""
    user, password = LOGIN
    (tmp_path / "sip2-password").write_text(password, encoding="utf-8")
    path = tmp_path / "home-libraries.toml"
    path.write_text(
        f'[[home_library]]\nisil = "{INSTITUTION}"\nhost = "127.0.0.1"\n'
        f'port = {home_server[1]}\ninstitution_id = "{INSTITUTION}"\nlogin_user = "{user}"\n'
        f'password_file = "{tmp_path / "sip2-password"}"\ntimeout = 5\n',
        encoding="utf-8",
    )
    return path


def asked(homes_file: Path, card: HomeCard) -> HomeCheck | None:
    """What the card's home library says, through the home libraries file."""
    return ask_home(db.session, load_home_libraries(homes_file).for_isil(card.isil), card, now())


def registered(
    card: HomeCard, check: HomeCheck | None, entered: PersonalDetails | None = None
) -> Registered:
    """The card's holder registered as a guest at the first branch, committed."""
    branch = db.session.scalars(select(Branch).order_by(Branch.id)).first()
    assert branch is not None
    found = register_guest(db.session, card, check, entered, branch, now())
    db.session.commit()
    return found


def test_a_verified_guest_gets_the_home_librarys_data_and_three_months(
    app: Flask, clock: ManualClock, homes_file: Path
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    guest = registered(card, asked(homes_file, card))
    patron = guest.patron
    assert patron.customer_type == CustomerType.GUEST
    assert (patron.prefix, patron.surname, patron.first_name, patron.initials) == (
        "de",
        "Brouwer",
        "Sjoukje",
        "S.",
    )
    assert (patron.street, patron.house_number, patron.postcode, patron.city) == (
        "Dorpsstraat",
        "12a",
        "9166 PT",
        "Schiermonnikoog",
    )
    assert (patron.birth_date, patron.library_email) == (date(1985, 4, 15), "sjoukje@example.nl")
    (subscription,) = patron.subscriptions
    assert (subscription.type_code, subscription.price, subscription.loan_strips) == (
        "0346",
        0,
        125,
    )
    assert (subscription.start_date, subscription.end_date) == (DAY, date(2027, 3, 6))
    assert guest.home.verification == Verification.VERIFIED
    assert guest.home.home_valid_through == date(2027, 3, 31)
    assert not guest.again and patron.system_number


def test_without_a_home_library_the_guest_is_registered_unverified_on_the_document(
    app: Flask, clock: ManualClock, homes_file: Path
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(OTHER_ISIL, "0830123456")
    check = asked(homes_file, card)
    assert check is None
    with pytest.raises(DomainError) as refused:
        registered(card, check)
    assert refused.value.code == "guest_details_required"
    db.session.rollback()
    guest = registered(card, check, DOCUMENT)
    assert guest.home.verification == Verification.UNVERIFIED
    assert (guest.patron.surname, guest.home.synced_at) == ("Dijk", None)


def test_blocked_at_home_is_refused_with_the_seeds_words(
    app: Flask, clock: ManualClock, homes_file: Path, home_server: tuple[HomeLibraryServer, int]
) -> None:
    clock.set(noon_on(DAY))
    with pytest.raises(DomainError) as refused:
        asked(homes_file, HomeCard(INSTITUTION, BLOCKED))
    with force_locale("nl"):
        assert refusal_message(refused.value) == (
            "Gastlener kan niet worden ingeschreven: reden [Klant is geblokkeerd]."
            " Neem contact op met je eigen bibliotheek."
        )
    with force_locale("en"):
        assert "Please contact your own library" in refusal_message(refused.value)
    server, _ = home_server
    server.patrons[CARD] = HomePatron("Brouwer, Sjoukje", date(1985, 4, 15), DAY - timedelta(1))
    with pytest.raises(DomainError) as expired:
        asked(homes_file, HomeCard(INSTITUTION, CARD))
    assert expired.value.code == "guest_blocked_at_home"
    with pytest.raises(DomainError) as unknown:
        asked(homes_file, HomeCard(INSTITUTION, "28415000099999"))
    assert unknown.value.code == "guest_unknown_at_home"


def test_two_libraries_cards_with_the_same_digits_are_two_guests(
    app: Flask, clock: ManualClock, homes_file: Path
) -> None:
    clock.set(noon_on(DAY))
    here = registered(HomeCard(INSTITUTION, CARD), asked(homes_file, HomeCard(INSTITUTION, CARD)))
    there = registered(HomeCard(OTHER_ISIL, CARD), None, DOCUMENT)
    assert here.patron.id != there.patron.id
    homes = db.session.scalars(select(GuestHome).order_by(GuestHome.id)).all()
    assert [(h.isil, h.home_card_number) for h in homes] == [
        (INSTITUTION, CARD),
        (OTHER_ISIL, CARD),
    ]


def run_daily(portal: Flask) -> dict[str, int]:
    """`flask memberships run-daily` on this portal (its context: the test's is the other
    portal's); the steps' counts it prints."""
    with portal.app_context():
        result = portal.test_cli_runner().invoke(args=["memberships", "run-daily"])
    assert result.exit_code == 0, result.output
    counts: dict[str, int] = json.loads(result.output)
    return counts


def test_the_nightly_check_follows_the_home_subscription_and_ends_with_it(
    app: Flask,
    clock: ManualClock,
    homes_file: Path,
    home_server: tuple[HomeLibraryServer, int],
    portal_instance: Callable[..., Flask],
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    guest = registered(card, asked(homes_file, card))
    nightly = portal_instance(HOME_LIBRARIES_FILE=str(homes_file))
    assert run_daily(nightly)["guests"] == 0  # asked on the day of registration already
    clock.set(noon_on(DAY + timedelta(days=1)))
    assert run_daily(nightly)["guests"] == 1
    assert run_daily(nightly)["guests"] == 0  # once a day
    db.session.expire_all()
    (subscription,) = db.session.get_one(Patron, guest.patron.id).subscriptions
    assert db.session.scalars(select(GuestHome)).one().sync_error == ""
    assert subscription.end_date == date(2027, 3, 31)  # the home subscription's last day
    server, _ = home_server
    server.patrons[CARD] = HomePatron(
        "Visser, Sjoukje", date(1985, 4, 15), date(2028, 3, 31), address="Brink 1, 9451 AB Rolde"
    )
    clock.set(noon_on(DAY + timedelta(days=2)))
    run_daily(nightly)
    db.session.expire_all()
    assert subscription.end_date == date(2028, 3, 31)
    moved = db.session.get_one(Patron, guest.patron.id)  # married and moved, at home
    assert (moved.prefix, moved.surname, moved.street, moved.city) == (
        "",
        "Visser",
        "Brink",
        "Rolde",
    )
    assert moved.library_email == "sjoukje@example.nl"  # not sent this time: kept
    assert [f.patron.id for f in search_patrons(db.session, "Visser")] == [guest.patron.id]
    server.patrons[CARD] = HomePatron(
        "Brouwer, Sjoukje", date(1985, 4, 15), date(2028, 3, 31), blocked="Abonnement beëindigd"
    )
    clock.set(noon_on(DAY + timedelta(days=3)))
    run_daily(nightly)
    db.session.expire_all()
    assert subscription.end_date == DAY + timedelta(days=2)  # ended: valid through yesterday
    clock.set(noon_on(DAY + timedelta(days=4)))
    assert run_daily(nightly)["guests"] == 0  # an ended guest is not asked again


def test_a_home_library_that_does_not_answer_changes_nothing_and_is_waited_for_once(
    app: Flask,
    clock: ManualClock,
    homes_file: Path,
    home_server: tuple[HomeLibraryServer, int],
    portal_instance: Callable[..., Flask],
) -> None:
    clock.set(noon_on(DAY))
    server, _ = home_server
    server.patrons[SECOND] = HomePatron("Bos, Jan", date(1990, 1, 1), date(2027, 6, 30))
    cards = [HomeCard(INSTITUTION, CARD), HomeCard(INSTITUTION, SECOND)]
    guests = [registered(card, asked(homes_file, card)) for card in cards]
    server.silent.update({CARD, SECOND})
    server.asked.clear()
    (tmp := homes_file.with_name("slow.toml")).write_text(
        homes_file.read_text(encoding="utf-8").replace("timeout = 5", "timeout = 0.5"),
        encoding="utf-8",
    )
    clock.set(noon_on(DAY + timedelta(days=1)))
    assert run_daily(portal_instance(HOME_LIBRARIES_FILE=str(tmp)))["guests"] == 2
    assert len(server.asked) == 1  # the second guest's library was known to be down
    db.session.expire_all()
    for guest in guests:
        home = db.session.get_one(GuestHome, guest.home.id)
        assert home.patron.subscriptions[0].end_date == date(2027, 3, 6)  # still three months
        assert home.sync_error


def test_an_expired_guest_is_registered_again_for_twelve_months_as_type_04(
    app: Flask, clock: ManualClock, homes_file: Path
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    first = registered(card, asked(homes_file, card))
    with pytest.raises(DomainError) as running:
        registered(card, asked(homes_file, card))
    assert running.value.code == "guest_already_registered"
    db.session.rollback()
    clock.set(noon_on(date(2027, 3, 7)))  # the three months ended (no nightly check ran)
    again = registered(card, asked(homes_file, card))
    assert (again.again, again.patron.id, again.home.customer_type_code) == (
        True,
        first.patron.id,
        "04",
    )
    newest = max(again.patron.subscriptions, key=lambda s: s.end_date)
    assert (newest.type_code, newest.price, newest.start_date, newest.end_date) == (
        "0345",
        0,
        date(2027, 3, 7),
        date(2028, 3, 6),
    )


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("Brouwer, Sjoukje de", ("de", "Brouwer", "Sjoukje")),
        ("Vries, Jan van der", ("van der", "Vries", "Jan")),
        ("Anna Maria van den Berg", ("van den", "Berg", "Anna Maria")),
        ("Mulder", ("", "Mulder", "")),
    ],
)
def test_names_as_home_libraries_send_them(sent: str, expected: tuple[str, str, str]) -> None:
    assert split_name(sent) == expected


def test_a_home_library_without_a_last_day_keeps_the_guest_a_week_ahead(
    app: Flask,
    clock: ManualClock,
    homes_file: Path,
    home_server: tuple[HomeLibraryServer, int],
    portal_instance: Callable[..., Flask],
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    guest = registered(card, asked(homes_file, card))
    home_server[0].patrons[CARD] = HomePatron("Brouwer, Sjoukje", date(1985, 4, 15), None)
    nightly = portal_instance(HOME_LIBRARIES_FILE=str(homes_file))
    clock.set(noon_on(DAY + timedelta(days=1)))
    run_daily(nightly)
    home_server[0].silent.add(CARD)  # a night without an answer does not end it
    clock.set(noon_on(DAY + timedelta(days=2)))
    run_daily(nightly)
    db.session.expire_all()
    (subscription,) = db.session.get_one(Patron, guest.patron.id).subscriptions
    assert subscription.end_date == DAY + timedelta(days=8)


def test_a_cancelled_guest_subscription_is_not_followed(
    app: Flask, clock: ManualClock, homes_file: Path, portal_instance: Callable[..., Flask]
) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    (subscription,) = registered(card, asked(homes_file, card)).patron.subscriptions
    subscription.cancelled_at = now()
    db.session.commit()
    clock.set(noon_on(DAY + timedelta(days=1)))
    assert run_daily(portal_instance(HOME_LIBRARIES_FILE=str(homes_file)))["guests"] == 0
    db.session.expire_all()
    assert subscription.end_date == date(2027, 3, 6)


@pytest.mark.parametrize(
    "card",
    [HomeCard("087041", CARD), HomeCard(INSTITUTION, "28415 0001"), HomeCard(INSTITUTION, "")],
)
def test_a_card_that_is_not_a_library_card_is_refused(
    app: Flask, clock: ManualClock, card: HomeCard
) -> None:
    clock.set(noon_on(DAY))
    with pytest.raises(DomainError) as refused:
        registered(card, None, DOCUMENT)
    assert refused.value.code == "guest_card_invalid"


def test_a_guests_record_is_not_merged(app: Flask, clock: ManualClock, homes_file: Path) -> None:
    clock.set(noon_on(DAY))
    card = HomeCard(INSTITUTION, CARD)
    guest = registered(card, asked(homes_file, card)).patron
    other = create_patron(db.session, None, now())
    staff = create_account(db.session, now())
    db.session.commit()
    shown = fingerprint(side_of(db.session, other), side_of(db.session, guest))
    with pytest.raises(DomainError) as refused:
        merge_committing(db.session(), staff, other, guest, Choice(frozenset(), shown, "nl"), now())
    assert refused.value.code == "merge_guest"
