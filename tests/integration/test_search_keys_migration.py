"""The desk search's migration files the names of the patrons there were."""

from flask import Flask
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.search import search_patrons
from tests.support.factories import create_patron

BEFORE_SEARCH_KEYS = "2b48ad544d94"


def test_patrons_of_before_the_search_are_found_by_name(app: Flask, clock: ManualClock) -> None:
    names = [
        ("A.", "de", "Vries", "Anna"),
        ("B.", "", "Müller-Öztürk", ""),
        ("A.M.", "van den", "Bosch-van der Veen-de la Cruz", "Anne-Marie"),  # a long prefix
    ]
    ids = [create_patron(db.session, None, clock.now(), names=n).id for n in names]
    db.session.commit()
    db.session.remove()
    downgrade(revision=BEFORE_SEARCH_KEYS)  # forgets the keys
    upgrade()
    assert [m.patron.id for m in search_patrons(db.session, "anna de vries")] == ids[:1]
    assert [m.patron.id for m in search_patrons(db.session, "ozturk")] == ids[1:2]
    assert [m.patron.id for m in search_patrons(db.session, "marie cruz")] == ids[2:]
