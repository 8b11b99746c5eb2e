"""Matching the recorded surname with the surname in an ID document's MRZ."""

import pytest

from shared.kiosks.document_names import surname_matches


@pytest.mark.parametrize(
    ("prefix", "surname", "read"),
    [
        ("de", "Vries", "DE VRIES"),
        ("de", "Vries", "VRIES"),
        ("van den", "Berg", "VAN DEN BERG"),
        ("van den", "Berg", "VAN<DEN<BERG"),
        ("", "Müller", "MUELLER"),
        ("", "Müller", "MULLER"),
        ("", "Çelik", "CELIK"),
        ("", "Straß", "STRASS"),
        ("", "IJsselmeer", "IJSSELMEER"),
        ("", "Ĳzerman", "IJZERMAN"),
        ("", "Søndergaard", "SOENDERGAARD"),
        ("", "Jansen-Öztürk", "JANSEN OEZTUERK"),
        ("van", "Oldenbarnevelt-Wilhelmina", "VAN OLDENBARNEVELT WIL"),
    ],
)
def test_mrz_forms_of_a_recorded_name_match(prefix: str, surname: str, read: str) -> None:
    assert surname_matches(prefix, surname, read)


@pytest.mark.parametrize(
    ("prefix", "surname", "read"),
    [
        ("de", "Vries", "DE VRIE"),
        ("", "Müller", "MOLLER"),
        ("", "Jansen", "JANSSEN"),
        ("", "Dijkstra", "DIJK"),
        ("", "Dijkstra", ""),
        ("van", "Oldenbarnevelt-Wilhelmina", "VAN OLDENBARNEVELT WAL"),
    ],
)
def test_other_or_cut_short_names_do_not(prefix: str, surname: str, read: str) -> None:
    assert not surname_matches(prefix, surname, read)
