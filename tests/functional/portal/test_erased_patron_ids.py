"""An erased patron's id is never given to a new patron: patron_erasure keeps it, to clear the
erased record's audit entries and to erase it again from a restored backup."""

import pytest
from flask import Flask

from portal.extensions import db
from portal.wiring import now
from shared.privacy.erasure import erase
from tests.support.databases import SQLITE, database_kind
from tests.support.factories import create_account, create_patron


@pytest.mark.xfail(
    database_kind() == SQLITE,
    reason="SQLite reuses the highest rowid of a deleted row: patron has no AUTOINCREMENT",
    strict=True,
)
def test_a_new_patron_never_gets_the_id_of_an_erased_one(app: Flask) -> None:
    staff = create_account(db.session, now())
    erased = create_patron(db.session, None, now())
    db.session.commit()
    erased_id = erased.id
    erase(db.session, erased, staff, now())
    db.session.commit()
    newcomer = create_patron(db.session, None, now())
    db.session.commit()
    assert newcomer.id != erased_id
    erase(db.session, newcomer, staff, now())  # was: UNIQUE constraint failed, a server error
    db.session.commit()
