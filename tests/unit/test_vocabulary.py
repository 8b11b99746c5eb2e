"""One vocabulary for numbers and names (docs/login.md): pasnummer for a card, klantnummer for
the number before a card, gebruikersnaam for the chosen name, inlognaam for what logs in."""

from pathlib import Path

from babel.messages.pofile import read_po

from shared.paths import PROJECT_ROOT

MIXED = (
    "klantnummer/gebruikersnaam",  # a number is no username
    "pasnummer of e-mailadres",  # usernames and customer numbers log in too
    "systeemnummer",  # the customer number of Digital only
    "tijdelijke nummer",  # the temporary customer number
)


def dutch() -> list[str]:
    """Every Dutch string in use (obsolete entries left out)."""
    path = PROJECT_ROOT / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as file:
        return [str(m.string) for m in read_po(file) if m.id]


def test_no_dutch_string_mixes_the_names_of_numbers() -> None:
    for text in dutch():
        assert not any(word in text.casefold() for word in MIXED), text


def test_the_login_field_is_the_login_name_and_says_what_it_takes() -> None:
    texts = dutch()
    assert "Inlognaam" in texts
    assert "Je pasnummer, klantnummer, gebruikersnaam of e-mailadres." in texts
