"""`flask demo load`: demo data for the embedded default (never for a real library)."""

import time

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.wiring import now
from shared.demo.desks import load_demo_desks
from shared.demo.numbers import DEMO_CARD, DEMO_NEWCOMER, DEMO_PASSWORD
from shared.demo.patrons import DEMO_FEE, DEMO_NEWCOMER_BIRTH, load_demo_newcomer, load_demo_patron
from shared.demo.seed import seed_patrons

demo = AppGroup("demo", help="Demo data for trying OpenBalie out.", callback=log_to_stderr)


@demo.command("load")
def demo_load() -> None:
    """Add the demo card holder and newcomer; charge the demo fee again when nothing is owed."""
    patron = load_demo_patron(db.session(), now())
    newcomer = load_demo_newcomer(db.session(), now())
    desks = load_demo_desks(db.session(), now())
    db.session.commit()
    click.echo(f"demo patron {patron.initials} {patron.prefix} {patron.surname}: card {DEMO_CARD}")
    click.echo(f"owes {DEMO_FEE:.2f} EUR: tap the card at the kiosk and pay it")
    click.echo(
        f"demo newcomer {newcomer.initials} {newcomer.prefix} {newcomer.surname}, born"
        f" {DEMO_NEWCOMER_BIRTH:%d-%m-%Y}: number {DEMO_NEWCOMER}, password {DEMO_PASSWORD}"
    )
    click.echo(
        "collect a card at the kiosk: log in with that number, place an ID document for this"
        " name and birth date on the control panel, then a blank card"
    )
    for desk in desks:
        terminal = f", PIN terminal {desk.terminal_id}" if desk.terminal_id else ""
        click.echo(f"desk {desk.code} ({desk.name}){terminal}")


@demo.command("seed")
@click.option("--patrons", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--password", required=True, help="The one password of every seeded login.")
def demo_seed(patrons: int, password: str) -> None:
    """Bulk-load synthetic members, to measure at scale (never for a real library)."""
    started = time.monotonic()
    added = seed_patrons(db.session(), patrons, password, now())
    click.echo(f"seeded {added} patrons in {time.monotonic() - started:.1f} s")
