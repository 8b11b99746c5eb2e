"""`flask --app portal audit ...`: read the audit log, and remove entries past retention."""

import json
from datetime import timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.wiring import now
from shared.desk import audit as audit_log
from shared.desk.audit_listing import AuditListing, Unknown, audit_listing, changes
from shared.models.audit import AuditEntry
from shared.timeutil import LOCAL_TZ

audit = AppGroup("audit", help="What staff saw and changed.", callback=log_to_stderr)


@audit.command("show")
@click.option("--patron", default="", help="Only entries about the patron with this number.")
@click.option("--staff", default="", help="Only entries of the staff member with this username.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=audit_log.PAGE, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON list, for scripts.")
def audit_show(patron: str, staff: str, limit: int, as_json: bool) -> None:
    """The newest entries: when, who, what, which patron, the values before and after."""
    listing = audit_listing(db.session(), staff=staff, patron=patron, limit=limit)
    if listing.unknown == Unknown.STAFF:
        raise click.ClickException(f"no staff member with username {staff}")
    if listing.unknown == Unknown.PATRON:
        raise click.ClickException(f"no patron with number {patron}")
    if as_json:
        click.echo(json.dumps([_entry_json(entry, listing) for entry in listing.entries], indent=2))
        return
    for entry in listing.entries:
        click.echo("\t".join(_entry_line(entry, listing)))


@audit.command("purge")
def audit_purge() -> None:
    """Remove the entries older than AUDIT_RETENTION_DAYS."""
    click.echo(f"removed {purge_expired()} audit entries")


def purge_expired() -> int:
    """Remove the entries past the retention period and commit; how many went."""
    days = current_app.config["AUDIT_RETENTION_DAYS"]
    removed = audit_log.purge(db.session(), now() - timedelta(days=days))
    db.session.commit()
    return removed


def _entry_json(entry: AuditEntry, listing: AuditListing) -> dict[str, Any]:
    """An entry as the JSON output shows it."""
    return {
        "at": entry.at.isoformat(),
        "staff": entry.staff_username,
        "action": entry.action,
        "patron": listing.numbers.get(entry.patron_id or 0),
        "before": entry.before,
        "after": entry.after,
    }


def _entry_line(entry: AuditEntry, listing: AuditListing) -> list[str]:
    """An entry's columns as the text output shows them (local time, to the second)."""
    values = "; ".join(
        f"{change.name}: {_value(change.before)} → {_value(change.after)}"
        for change in changes(entry)
    )
    return [
        f"{entry.at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S}",
        entry.staff_username,
        entry.action,
        listing.numbers.get(entry.patron_id or 0, "-"),
        values,
    ]


def _value(value: object) -> str:
    """A recorded value as text; a dash where there was none."""
    return "-" if value is None else str(value)
