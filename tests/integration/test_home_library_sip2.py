"""A guest's home library asked over SIP2, on a real TCP server the test starts: a valid patron
with their data, one blocked at home with the home library's words, an unknown card, a refused
login, and a home library that does not answer."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from shared.guests.home_library import (
    HomeCheck,
    HomeLibraryUnavailable,
    HomePerson,
    Sip2HomeLibrary,
    Sip2Settings,
)
from tests.support.servers import free_port
from tests.support.sip2_home_library import (
    INSTITUTION,
    LOGIN,
    HomeLibraryServer,
    HomePatron,
    running_home_library,
)

NOW = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)
CARD, BLOCKED, UNKNOWN = "28415000012345", "28415000067890", "28415000099999"
FINED = "28415000055555"


@pytest.fixture
def home() -> Iterator[tuple[HomeLibraryServer, Sip2Settings]]:
    """Schiermonnikoog's library on a local port, and how to reach it."""
    server = HomeLibraryServer()
    server.patrons[CARD] = HomePatron(
        "Brouwér, Sjoukje", date(1985, 4, 15), date(2027, 3, 31), "sjoukje@example.nl", "Dorp 1"
    )
    server.patrons[BLOCKED] = HomePatron(
        "Visser, Hein", date(1970, 1, 2), date(2027, 1, 31), blocked="Klant is geblokkeerd"
    )
    server.patrons[FINED] = HomePatron(
        "Jansen, Piet", date(1960, 5, 5), date(2027, 6, 30), fines_blocked=True
    )
    with running_home_library(server) as port:
        user, password = LOGIN
        yield server, Sip2Settings("127.0.0.1", port, INSTITUTION, user, password)


def test_a_valid_patron_with_their_data(home: tuple[HomeLibraryServer, Sip2Settings]) -> None:
    server, settings = home
    person = HomePerson("Brouwér, Sjoukje", date(1985, 4, 15), "Dorp 1", "sjoukje@example.nl", "")
    assert Sip2HomeLibrary(settings).check(CARD, NOW) == HomeCheck(
        known=True, valid_through=date(2027, 3, 31), person=person
    )
    assert (server.logged_in, server.asked) == (["openbalie"], [CARD])


def test_blocked_at_home_with_its_reason(home: tuple[HomeLibraryServer, Sip2Settings]) -> None:
    check = Sip2HomeLibrary(home[1]).check(BLOCKED, NOW)
    assert check.known and check.blocked and check.reason == "Klant is geblokkeerd"


def test_a_card_the_home_library_does_not_know(
    home: tuple[HomeLibraryServer, Sip2Settings],
) -> None:
    assert Sip2HomeLibrary(home[1]).check(UNKNOWN, NOW) == HomeCheck(known=False)


def test_a_refused_login_or_a_closed_port_is_unavailable(
    home: tuple[HomeLibraryServer, Sip2Settings],
) -> None:
    server, settings = home
    wrong = Sip2Settings(settings.host, settings.port, INSTITUTION, "openbalie", "fout")
    with pytest.raises(HomeLibraryUnavailable, match="login was refused"):
        Sip2HomeLibrary(wrong).check(CARD, NOW)
    assert server.asked == []
    away = Sip2Settings("127.0.0.1", free_port(), INSTITUTION, timeout=2.0)
    with pytest.raises(HomeLibraryUnavailable, match="SIP2 127.0.0.1"):
        Sip2HomeLibrary(away).check(CARD, NOW)


def test_blocked_for_fines_says_so_without_a_message(
    home: tuple[HomeLibraryServer, Sip2Settings],
) -> None:
    check = Sip2HomeLibrary(home[1]).check(FINED, NOW)
    assert check.blocked and check.reason == "excessive outstanding fines"


def test_an_answer_ending_in_cr_lf_is_read(home: tuple[HomeLibraryServer, Sip2Settings]) -> None:
    server, settings = home
    server.line_end = b"\r\n"
    assert Sip2HomeLibrary(settings).check(CARD, NOW).valid_through == date(2027, 3, 31)


def test_a_wrong_checksum_or_no_answer_in_time_is_unavailable(
    home: tuple[HomeLibraryServer, Sip2Settings],
) -> None:
    server, settings = home
    server.garbled.add(CARD)
    with pytest.raises(HomeLibraryUnavailable, match="checksum"):
        Sip2HomeLibrary(settings).check(CARD, NOW)
    server.silent.add(BLOCKED)
    quick = replace(settings, timeout=0.5)
    with pytest.raises(HomeLibraryUnavailable, match="timed out|within the timeout"):
        Sip2HomeLibrary(quick).check(BLOCKED, NOW)


def test_a_character_set_python_lacks_is_refused_at_once() -> None:
    with pytest.raises(LookupError):
        Sip2Settings("127.0.0.1", 6001, INSTITUTION, encoding="wise-8")
