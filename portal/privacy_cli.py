"""`flask --app portal privacy ...`: export everything held about a patron, erase a patron who
asks for it, and remove erased patrons' payments after the bookkeeping period."""

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.wiring import now
from shared.accounts.staff import find_by_username, staff_member
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.models.staff import StaffRole
from shared.patrons.lookup import find_patron_by_any_number
from shared.privacy.erasure import ErasureRefused, erase
from shared.privacy.export import export
from shared.privacy.retention import bookkeeping_cutoff, purge_anonymised_payments
from shared.refusals import ENGLISH, describe

privacy = AppGroup("privacy", help="What is held about a patron (AVG).", callback=log_to_stderr)


@privacy.command("export")
@click.argument("number")
def privacy_export(number: str) -> None:
    """Print everything held about the patron with this number (any of theirs) as JSON."""
    click.echo(json.dumps(export(db.session(), _patron(number), now()), indent=2))


@privacy.command("erase")
@click.argument("number")
@click.option("--staff", required=True, help="The coordinator who handled the request.")
@click.confirmation_option(prompt="Erasing cannot be undone. Erase the patron?")
def privacy_erase(number: str, staff: str) -> None:
    """Erase the patron with this number, who asked for it; refused (exit 1, with every reason)
    while anything is owed, runs or is not final."""
    coordinator = _coordinator(staff)
    try:
        done = erase(db.session(), _patron(number), coordinator, now())
    except ErasureRefused as refused:
        db.session.rollback()
        for reason in refused.reasons:
            click.echo(f"refused: {reason.code}: {describe(reason.code, {}, ENGLISH)}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"{number}: erased ({done.deleted} rows deleted, {done.payments_anonymised} payments"
        f" kept anonymised, {done.audit_entries_cleared} audit entries cleared)"
    )


@privacy.command("purge")
def privacy_purge() -> None:
    """Remove erased patrons' payments past BOOKKEEPING_RETENTION_YEARS."""
    click.echo(f"removed {purge_expired_payments()} anonymised payments")


def purge_expired_payments() -> int:
    """Remove the anonymised payments past the bookkeeping period and commit; how many went."""
    years = current_app.config["BOOKKEEPING_RETENTION_YEARS"]
    removed = purge_anonymised_payments(db.session(), bookkeeping_cutoff(now(), years))
    db.session.commit()
    return removed


def _patron(number: str) -> Patron:
    """The patron with this number (any of theirs); an unknown number ends the command."""
    patron = find_patron_by_any_number(db.session(), number)
    if patron is None:
        raise click.ClickException(f"no patron with number {number}")
    return patron


def _coordinator(username: str) -> LoginAccount:
    """The coordinator's login with this username; anyone else ends the command."""
    account = find_by_username(db.session(), username)
    member = staff_member(db.session(), account) if account else None
    if account is None or member is None or member.role != StaffRole.COORDINATOR:
        raise click.ClickException(f"no coordinator with username {username}")
    return account
