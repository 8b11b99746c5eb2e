"""The home libraries file (HOME_LIBRARIES_FILE): each ISIL's SIP2 server, its password read from
a file of its own; a configured home library asked on a real SIP2 server, an ISIL without an
entry not asked at all, and every wrong file refused naming the entry."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.guests.directory import HomeLibrariesError, load_home_libraries
from tests.support.sip2_home_library import (
    INSTITUTION,
    LOGIN,
    HomeLibraryServer,
    HomePatron,
    running_home_library,
)

NOW = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)
CARD = "28415000012345"


def written(tmp_path: Path, text: str) -> Path:
    """The file as the library's IT person writes it."""
    path = tmp_path / "home-libraries.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_configured_home_library_is_asked_and_another_is_not(tmp_path: Path) -> None:
    server = HomeLibraryServer()
    server.patrons[CARD] = HomePatron("Brouwér, Sjoukje", date(1985, 4, 15), date(2027, 3, 31))
    user, password = LOGIN
    (tmp_path / "sip2-password").write_text(password + "\n", encoding="utf-8")
    with running_home_library(server) as port:
        path = written(
            tmp_path,
            f'[[home_library]]\nisil = "{INSTITUTION}"\nhost = "127.0.0.1"\nport = {port}\n'
            f'institution_id = "{INSTITUTION}"\nlogin_user = "{user}"\n'
            f'password_file = "{tmp_path / "sip2-password"}"\ntimeout = 5\n',
        )
        libraries = load_home_libraries(path)
        home = libraries.for_isil(INSTITUTION)
        assert home is not None
        assert home.check(CARD, NOW).valid_through == date(2027, 3, 31)
    assert libraries.for_isil("NL-083485") is None  # registered unverified
    assert load_home_libraries(None).for_isil(INSTITUTION) is None


ENTRY = 'isil = "NL-087041"\nhost = "127.0.0.1"\ninstitution_id = "NL-087041"\n'


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[[home_library]\n", "not a readable UTF-8 TOML file"),
        ('home_library = "x"\n', "entries expected"),
        ('[[home_library]]\nisil = "087041"\n', "is not an ISIL"),
        (f"[[home_library]]\n{ENTRY}", "port is missing or of the wrong kind"),
        (f"[[home_library]]\n{ENTRY}port = 70000\n", "not a TCP port"),
        (f'[[home_library]]\n{ENTRY}port = 6001\npassword = "x"\n', "unknown settings password"),
        (f'[[home_library]]\n{ENTRY}port = 6001\nencoding = "wise-8"\n', "wise-8"),
        (f'[[home_library]]\n{ENTRY}port = 6001\npassword_file = "/nowhere"\n', "unreadable"),
        (f"[[home_library]]\n{ENTRY}port = 6001\n" * 2, "listed twice"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_entry(tmp_path: Path, text: str, said: str) -> None:
    with pytest.raises(HomeLibrariesError, match=said):
        load_home_libraries(written(tmp_path, text))
