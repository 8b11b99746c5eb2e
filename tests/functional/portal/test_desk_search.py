"""The desk's search (/balie/klanten?q=…): every kind of thing staff type, alone and combined,
with accents, case, a prefix and one typo; one match opens the patron, none says so; patrons
and visitors never reach it."""

from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.patron_numbers import with_main_cards
from shared.desk.search import CANDIDATES, search_patrons
from shared.models.card import CardStatus
from shared.models.name_key import PatronNameKey
from shared.models.patron import Gender, Patron
from shared.patrons.name_keys import add_name_keys, key_rows
from tests.support.accounts import log_in, member
from tests.support.factories import create_account, create_card, create_patron
from tests.support.staff import desk_session

BORN = date(1980, 3, 12)
# label: initials, prefix, surname, first name; birth date; postcode, house number
PEOPLE = {
    "jan": (("J.", "de", "Vries", "Jan"), BORN, ("7961 AM", "12a")),
    "eva": (("E.", "", "Vries-Bakker", "Eva"), date(1991, 7, 1), ("7961 AB", "3")),
    "anna": (("A.M.", "", "Jansen", "Anna"), BORN, ("7961 AM", "12")),
    "piet": (("P.", "", "Janssen", "Piet"), date(1975, 1, 1), ("9401 AB", "3")),
    "kathe": (("K.", "", "Müller", "Käthe"), date(1990, 5, 6), ("7941 CD", "8")),
    "tom": (("T.", "", "de Groot", ""), date(2001, 2, 3), ("7941 CD", "10")),
}


@pytest.fixture
def people(app: Flask, clock: ManualClock) -> dict[str, Patron]:
    """The patrons above, each with a login; Anna with a main card that replaced another."""
    made = {}
    for label, (names, born, address) in PEOPLE.items():
        account = create_account(db.session, clock.now(), confirmed=True)
        made[label] = create_patron(
            db.session, account, clock.now(), birth_date=born, names=names, address=address
        )
    create_card(db.session, made["anna"], clock.now(), status=CardStatus.REPLACED)
    create_card(db.session, made["anna"], clock.now())
    db.session.commit()
    return made


def found(query: str, people: dict[str, Patron]) -> list[str]:
    """The labels of the patrons the search finds, in its order."""
    labels = {patron.id: label for label, patron in people.items()}
    return [labels[match.patron.id] for match in search_patrons(db.session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Vries", ["eva", "jan"]),  # a double surname's part; by initials
        ("de Vries", ["jan", "eva"]),  # the prefix typed: the one with it first
        ("vries, de", ["jan", "eva"]),
        ("VRIES", ["eva", "jan"]),
        ("j. de vries", ["jan"]),
        ("Jan de Vries", ["jan"]),
        ("Vries-Bakker", ["eva"]),
        ("bakker eva", ["eva"]),
        ("groot", ["tom"]),  # the prefix typed into the surname field
        ("de groot", ["tom"]),
        ("muller", ["kathe"]),
        ("MÜLLER", ["kathe"]),
        ("Mueller", ["kathe"]),  # one letter too many
        ("kathe", ["kathe"]),  # the first name alone, without its accent
        ("Jansen", ["anna", "piet"]),  # Janssen is one typo away
        ("Janssen", ["piet", "anna"]),
        ("jnasen", ["anna"]),  # two letters swapped
        ("p. jansen", ["piet"]),  # the initials narrow the typo down
        ("a.m. jansen", ["anna"]),
        ("anna jansen", ["anna"]),
        ("jansen anna", ["anna"]),
        ("anna janssen", ["anna"]),
        ("12-03-1980", ["anna", "jan"]),  # by surname
        ("12-3-1980", ["anna", "jan"]),
        ("jansen 12-03-1980", ["anna"]),
        ("7961 AM 12", ["anna", "jan"]),  # house numbers 12 and 12a
        ("7961am12", ["anna", "jan"]),
        ("7961 am 12a", ["jan"]),
        ("7961AM 12 jansen", ["anna"]),
        ("7941 CD", ["tom", "kathe"]),  # Groot before Müller
        ("7961 de vries", ["jan", "eva"]),  # "de" is a prefix here, not the postcode's letters
        ("7941 de groot", ["tom"]),
        ("Pietersen", []),
        ("Vos", []),  # short names must be exact
        ("01-01-2000", []),
    ],
)
def test_the_search_understands_what_was_typed(
    people: dict[str, Patron], query: str, expected: list[str]
) -> None:
    assert found(query, people) == expected


def test_numbers_and_e_mail_addresses_find_their_patron(people: dict[str, Patron]) -> None:
    anna = people["anna"]
    replaced, active = sorted(
        (card for card in anna_cards(anna)), key=lambda card: card.status != CardStatus.REPLACED
    )
    assert found(active.number, people) == ["anna"]
    assert found(replaced.number, people) == ["anna"]  # a replaced card still finds its holder
    assert found(people["jan"].temporary_number.lower(), people) == ["jan"]
    assert found(anna.login_account.email.upper(), people) == ["anna"]
    assert found(f" {people['piet'].library_email.title()} ", people) == ["piet"]
    assert found("2527000000000", people) == []


def anna_cards(anna: Patron) -> list:  # noqa: ANN001
    """Anna's cards (a replaced one and the active main card)."""
    from shared.cards.lookup import cards_of

    return cards_of(db.session, anna)


def test_the_number_of_a_patron_is_the_main_card_else_the_temporary_number(
    people: dict[str, Patron],
) -> None:
    anna_card = next(c for c in anna_cards(people["anna"]) if c.status == CardStatus.ACTIVE)
    anna, jan = with_main_cards(db.session, [people["anna"].id, people["jan"].id])
    assert anna.number == anna_card.number and anna.card == anna_card
    assert jan.number == people["jan"].temporary_number and jan.card is None


def test_a_patron_whose_names_change_is_found_by_the_new_ones(
    app: Flask, client: FlaskClient
) -> None:
    patron = member(client)  # signed up online: activation filed the names
    assert [m.patron.id for m in search_patrons(db.session, patron.surname)] == [patron.id]


def test_one_match_opens_the_patron_at_once(
    app: Flask, client: FlaskClient, people: dict[str, Patron]
) -> None:
    desk = desk_session(app, client)
    card = next(c for c in anna_cards(people["anna"]) if c.status == CardStatus.ACTIVE)
    for query in (card.number, "a.m. jansen"):  # a scanned card, or a name typed
        response = desk.get("/balie/klanten", query_string={"q": query})
        assert response.status_code == 303
        assert response.location == f"/balie/klanten/{card.number}"
    response = desk.get("/balie/klanten", query_string={"q": "j. de vries"})
    assert response.location == f"/balie/klanten/{people['jan'].temporary_number}"


def test_several_matches_are_listed_with_links_to_each(
    app: Flask, client: FlaskClient, people: dict[str, Patron]
) -> None:
    desk = desk_session(app, client)
    page = desk.get("/balie/klanten", query_string={"q": "jansen"}).get_data(as_text=True)
    card = next(c for c in anna_cards(people["anna"]) if c.status == CardStatus.ACTIVE)
    assert f'<a href="/balie/klanten/{card.number}">A.M. Jansen</a> (Anna)' in page
    assert f'<a href="/balie/klanten/{people["piet"].temporary_number}">P. Janssen</a>' in page
    assert page.index("A.M. Jansen") < page.index("P. Janssen")
    assert "12-03-1980" in page and "7961 AM 12" in page and card.number in page
    assert 'name="q" value="jansen" autofocus' in page


def test_no_match_says_so_and_an_empty_box_searches_nothing(
    app: Flask, client: FlaskClient, people: dict[str, Patron]
) -> None:
    desk = desk_session(app, client)
    page = desk.get("/balie/klanten", query_string={"q": "Pietersen"}).get_data(as_text=True)
    assert "Pietersen" in page and 'role="status"' in page
    empty = desk.get("/balie/klanten").get_data(as_text=True)
    assert 'id="q"' in empty and 'role="status"' not in empty


def test_staff_pages_carry_the_search_box(app: Flask, client: FlaskClient) -> None:
    desk = desk_session(app, client)
    page = desk.get("/balie/zuilen").get_data(as_text=True)
    assert 'action="/balie/klanten"' in page and 'accesskey="k"' in page


def test_patrons_are_refused_and_visitors_sent_to_log_in(
    app: Flask, client: FlaskClient, new_browser
) -> None:  # noqa: ANN001
    visitor = new_browser()
    assert visitor.get("/balie/klanten?q=jansen").status_code in (302, 303)
    patron = member(client)
    assert log_in(client, patron.customer_number).status_code == 303
    assert client.get("/balie/klanten?q=jansen").status_code == 403
    assert 'accesskey="k"' not in client.get("/mijn-account").get_data(as_text=True)


def ids(query: str) -> list[int]:
    """The ids of the patrons the search finds, in its order."""
    return [match.patron.id for match in search_patrons(db.session, query)]


def test_a_first_name_that_is_someones_surname_is_still_a_first_name(
    app: Flask, clock: ManualClock
) -> None:
    thomas = create_patron(db.session, None, clock.now(), names=("T.", "", "Jansen", "Thomas"))
    create_patron(db.session, None, clock.now(), names=("K.", "", "Thomas", "Kees"))
    assert ids("Jansen Thomas") == [thomas.id]
    assert ids("Thomas Jansen") == [thomas.id]


def test_every_word_of_a_first_name_finds_the_patron(app: Flask, clock: ManualClock) -> None:
    anne = create_patron(db.session, None, clock.now(), names=("A.M.", "", "Jansen", "Anne-Marie"))
    jan = create_patron(db.session, None, clock.now(), names=("J.W.", "", "Jansen", "Jan Willem"))
    assert ids("marie jansen") == [anne.id]
    assert ids("jansen willem") == [jan.id]
    assert ids("wilem") == [jan.id]  # a later first name with a typo
    assert ids("anne marie jansen") == [anne.id]


def test_a_long_row_of_prefixes_is_filed(app: Flask, clock: ManualClock) -> None:
    names = ("A.", "van den", "Bosch-van der Veen-de la Cruz", "Ana")
    patron = create_patron(db.session, None, clock.now(), names=names)
    db.session.commit()  # on PostgreSQL the keys' lengths are checked
    assert ids("van den bosch") == ids("cruz") == [patron.id]
    longest = Patron.prefix.type.length + 1 + Patron.surname.type.length
    assert PatronNameKey.prefix_key.type.length >= longest


def test_names_narrow_down_a_birth_date_many_patrons_share(app: Flask, clock: ManualClock) -> None:
    """Every institution is born on 01-01-1980: the names pick the one out of all of them."""
    born = date(1980, 1, 1)
    first = create_patron(db.session, None, clock.now(), birth_date=born)
    institutions = [institution(first, n, born, clock.now()) for n in range(CANDIDATES + 10)]
    db.session.execute(insert(Patron), institutions)
    add_name_keys(db.session, [key for row in institutions for key in key_rows(*row_names(row))])
    last = institutions[-1]
    assert ids(f"01-01-1980 {last['surname']}") == [last["id"]]
    assert ids(f"{last['surname']} 01-01-1980") == [last["id"]]


def institution(model: Patron, n: int, born: date, now: datetime) -> dict:
    """A patron row of an institution (Bibliotheek Aab, ...), after the model patron's id."""
    return {
        "id": model.id + 1 + n,
        "initials": "",
        "surname": "Bibliotheek " + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}").title(),
        "birth_date": born,
        "gender": Gender.INSTELLING,
        "postcode": "7961 AM",
        "house_number": "1",
        "street": "Dijkhuizen",
        "city": "Ruinerwold",
        "library_email": f"bieb{n}@example.nl",
        "home_branch_id": model.home_branch_id,
        "created_at": now,
    }


def row_names(row: dict) -> tuple:
    """The id and names of a patron row, as key_rows takes them."""
    return row["id"], row["initials"], "", row["surname"], ""
