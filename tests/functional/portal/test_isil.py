"""The ISIL directory through its commands: `isil load` the seed's table or a library's own file
(updating by ISIL), and `isil lookup` a card number: its prefix and the candidate libraries."""

import json
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

NIEUWEGEIN = {"isil": "NL-083485", "organisation": "Nieuwegein"}
DRENTHE = {"isil": "NL-083076", "organisation": "Biblionet Drenthe"}


def run(app: Flask, *args: str) -> Result:
    """An `isil` command, its output and exit code."""
    return app.test_cli_runner().invoke(args=["isil", *args])


def looked_up(app: Flask, number: str) -> dict[str, object]:
    """What `isil lookup` prints for the number."""
    result = run(app, "lookup", number)
    assert result.exit_code == 0, result.output
    found: dict[str, object] = json.loads(result.output)
    return found


def directory_file(tmp_path: Path, text: str) -> str:
    """A directory file of a library's own, as its IT person writes it."""
    path = tmp_path / "directory.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def loaded(app: Flask) -> Flask:
    """The portal with the shipped directory (seed 003's table) loaded."""
    result = run(app, "load")
    assert result.exit_code == 0, result.output
    assert result.output == "isil-directory.toml: 19 libraries, 208 prefixes\n"
    return app


def test_a_card_is_looked_up_by_its_prefix(loaded: Flask) -> None:
    assert looked_up(loaded, "2527090267212") == {"prefix": "5270", "candidates": [DRENTHE]}
    assert looked_up(loaded, "0830123456") == {"prefix": "0830", "candidates": [NIEUWEGEIN]}
    assert looked_up(loaded, "2123400000017") == {"prefix": "1234", "candidates": []}


def test_a_prefix_two_libraries_use_gives_both_to_choose_from(
    loaded: Flask, tmp_path: Path
) -> None:
    shared = directory_file(
        tmp_path,
        '[[library]]\nisil = "NL-099999"\norganisation = "Bibliotheek Anders"\n'
        'prefixes = ["0830", "7777"]\n',
    )
    assert run(loaded, "load", shared).output == "directory.toml: 1 libraries, 2 prefixes\n"
    other = {"isil": "NL-099999", "organisation": "Bibliotheek Anders"}
    assert looked_up(loaded, "0830123456")["candidates"] == [NIEUWEGEIN, other]


def test_loading_again_replaces_a_library_s_prefixes_and_keeps_the_others(
    loaded: Flask, tmp_path: Path
) -> None:
    update = directory_file(
        tmp_path,
        '[[library]]\nisil = "NL-083485"\norganisation = "Bibliotheek Nieuwegein"\n'
        'updated = 2026-11-01\nprefixes = ["0830"]\n',
    )
    assert run(loaded, "load", update).exit_code == 0
    renamed = {"isil": "NL-083485", "organisation": "Bibliotheek Nieuwegein"}
    assert looked_up(loaded, "0830123456")["candidates"] == [renamed]
    assert looked_up(loaded, "0831123456")["candidates"] == []
    assert looked_up(loaded, "2527090267212")["candidates"] == [DRENTHE]


VALID = (
    '[[library]]\nisil = "NL-099999"\norganisation = "Bibliotheek Anders"\nprefixes = ["7777"]\n'
)
BAD_ENTRIES = {
    'isil = "083485"\norganisation = "X"': "is not an ISIL",
    'isil = "NL-083485"\norganisation = " "': "names no organisation",
    f'isil = "NL-083485"\norganisation = "{"X" * 121}"': "up to 120 characters",
    'isil = "NL-083485"\norganisation = "X\\u0000"': "not plain text",
    'isil = "NL-083485"\norganisation = "X"\nprefixes = ["830"]': "four digits each",
    'isil = "NL-083485"\norganisation = "X"\nupdated = "gisteren"': "not a date",
    'isil = "NL-099999"\norganisation = "Y"': "listed twice",
}
BAD_FILES = {
    "": "no [[library]] entries",
    '[[libraries]]\nisil = "NL-099999"\n': "no [[library]] entries",
    'library = "x"\n': "no [[library]] entries",
    "[[library]\n": "not a UTF-8 TOML file",
}


@pytest.mark.parametrize(
    ("text", "said"),
    [(f"{VALID}[[library]]\n{entry}\n", said) for entry, said in BAD_ENTRIES.items()]
    + list(BAD_FILES.items()),
)
def test_a_file_that_cannot_be_loaded_says_why_and_loads_nothing(
    app: Flask, tmp_path: Path, text: str, said: str
) -> None:
    result = run(app, "load", directory_file(tmp_path, text))
    assert result.exit_code == 1 and said in result.output, result.output
    assert looked_up(app, "7777123456")["candidates"] == []  # not even the valid entry


def test_a_file_not_in_utf_8_says_so(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "directory.toml"
    path.write_bytes(VALID.replace("Anders", "Fryslân").encode("latin-1"))
    result = run(app, "load", str(path))
    assert result.exit_code == 1 and "not a UTF-8 TOML file" in result.output


def test_what_is_not_a_card_number_is_refused(app: Flask) -> None:
    result = run(app, "lookup", "25-27")
    assert result.exit_code == 2 and "not a card number" in result.output
