"""`flask --app portal desk ...`: the desks where money is taken, and their day report."""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.refusals import refusals_reported
from portal.wiring import now
from shared.desk.day_report import DayReport, Totals, day_report
from shared.desk.desks import add_desk, list_desks
from shared.models.payment import PaymentMethod


def _method(method: PaymentMethod) -> Callable[[Totals], Decimal]:
    """What a desk took by this means."""
    return lambda totals: totals.methods[method]


# The table's rows: each means, then the totals.
MEASURES: list[tuple[str, Callable[[Totals], Decimal]]] = [
    *((method.value, _method(method)) for method in PaymentMethod),
    ("taken", lambda totals: totals.taken),
    ("waived", lambda totals: totals.waived),
    ("refunded", lambda totals: totals.refunded),
    ("drawer", lambda totals: totals.drawer),
]
desk = AppGroup("desk", help="Desks that take money, and their day report.", callback=log_to_stderr)


@desk.command("add")
@click.argument("code")
@click.option("--name", required=True, help="What staff call the desk, e.g. 'Balie hal'.")
@click.option("--branch", required=True, help="Code of the branch the desk is in.")
@click.option("--terminal", help="Mollie terminal id (term_...) of the desk's PIN terminal.")
def desk_add(code: str, name: str, branch: str, terminal: str | None) -> None:
    """Add a desk (its code is how staff and the day report name it)."""
    with refusals_reported():
        added = add_desk(db.session(), code, name, branch, terminal, now())
    db.session.commit()
    click.echo(f"desk {added.code} ({added.name}) in {added.branch.code}")


@desk.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def desk_list(as_json: bool) -> None:
    """Every desk: code, name, branch and PIN terminal."""
    desks = list_desks(db.session())
    rows = [
        {"code": d.code, "name": d.name, "branch": d.branch.code, "terminal": d.terminal_id}
        for d in desks
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo("\t".join(str(value or "-") for value in row.values()))


@desk.command("day-report")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--branch", help="Only this branch (its code).")
@click.option("--desk", "desk_code", help="Only this desk (its code).")
@click.option("--json", "as_json", is_flag=True, help="The stable JSON, for scripts.")
def desk_day_report(
    day: datetime, branch: str | None, desk_code: str | None, as_json: bool
) -> None:
    """What was taken (by means), waived and refunded on a local day, per desk."""
    with refusals_reported():
        report = day_report(db.session(), day.date(), branch, desk_code)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    click.echo(_table(report))


def _table(report: DayReport) -> str:
    """The report as a readable table: a column per desk, the kiosks, and the total."""
    columns = [(d.code, totals) for d, totals in report.desks.items()]
    columns += [("kiosks", report.kiosks), ("total", report.total)]
    lines = [_line(_title(report.day, report.branch), [code for code, _ in columns])]
    for label, value in MEASURES:
        lines.append(_line(label, [f"{value(totals):.2f}" for _, totals in columns]))
    return "\n".join(lines)


def _title(day: date, branch: str | None) -> str:
    """The first cell: the day and the branch."""
    return f"{day.isoformat()} {branch or 'all branches'}"


def _line(label: str, cells: list[str]) -> str:
    """One row, aligned."""
    return f"{label:<28}" + "".join(f"{cell:>14}" for cell in cells)
