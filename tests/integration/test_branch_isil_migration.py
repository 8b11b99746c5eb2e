"""The branch ISIL migration: branches of before it keep the one ISIL they had, until the
catalogue is loaded again and gives each its own."""

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal.extensions import db
from shared.catalogue.loader import load_catalogue
from shared.models.catalogue import Branch

BEFORE_BRANCH_ISIL = "a3c5e7f90b12"


def test_branches_keep_their_isil_then_the_catalogue_gives_their_own(app: Flask) -> None:
    db.session.remove()
    downgrade(revision=BEFORE_BRANCH_ISIL)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE branch SET organisation = 'NL-083076'"))
    upgrade()
    assert set(db.session.scalars(select(Branch.isil))) == {"NL-083076"}
    load_catalogue(db.session)
    db.session.commit()
    annen = db.session.scalars(select(Branch).where(Branch.code == "9401")).one()
    assert (annen.isil, annen.organisation) == ("NL-070297", "biblionet-drenthe")
