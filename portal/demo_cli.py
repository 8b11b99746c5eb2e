"""`flask demo load`: demo data for the embedded default (never for a real library)."""

import click
from flask.cli import AppGroup

from shared.db import db
from shared.demo import DEMO_CARD, DEMO_FEE, load_demo_patron

demo = AppGroup("demo", help="Demo data for trying OpenBalie out.")


@demo.command("load")
def demo_load() -> None:
    """Add the demo card holder; charge the demo fee again when nothing is owed."""
    patron = load_demo_patron(db.session)
    db.session.commit()
    click.echo(f"demo patron {patron.initials} {patron.prefix} {patron.surname}: card {DEMO_CARD}")
    click.echo(f"owes {DEMO_FEE:.2f} EUR: tap the card at the kiosk and pay it")
