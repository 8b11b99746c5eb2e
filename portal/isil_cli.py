"""`flask --app portal isil ...`: load the ISIL directory, and look up which libraries may have
issued a card (guest patrons, seed 003)."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from shared.catalogue.isil import DEFAULT_DIRECTORY, load_directory, lookup
from shared.catalogue.loader import CatalogueError

isil = AppGroup(
    "isil", help="The ISIL directory: which library issued a card.", callback=log_to_stderr
)


@isil.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def isil_load(path: str | None) -> None:
    """Load a directory file (default: the one shipped); loading again updates by ISIL."""
    file = Path(path) if path else DEFAULT_DIRECTORY
    try:
        libraries, prefixes = load_directory(db.session(), file)
    except CatalogueError as error:
        raise click.ClickException(f"{file.name}: {error}") from error
    db.session.commit()
    click.echo(f"{file.name}: {libraries} libraries, {prefixes} prefixes")


@isil.command("lookup")
@click.argument("number")
def isil_lookup(number: str) -> None:
    """Print the card number's prefix and the libraries that use it as JSON (stable)."""
    try:
        found = lookup(db.session(), number)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="NUMBER") from error
    click.echo(json.dumps(found.as_json(), ensure_ascii=False))
