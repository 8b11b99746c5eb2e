"""An export of everything held about a patron (*inzageverzoek*, AVG article 15), as plain JSON
values: one key per kind of record (shared/privacy/tables.py names them), secrets left out."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from shared.db import Base
from shared.models.patron import Patron
from shared.privacy.holdings import holdings
from shared.privacy.tables import HANDLING, LEFT_OUT_COLUMNS

# The keys holding one record (or null) rather than a list.
SINGLE = ("login_account",)
MERGED_RECORDS = "merged_records"  # the personal data of the duplicates merged into the record
EXPORTED = "patron.exported"  # the audit log's action


def export(session: Session, patron: Patron, now: datetime) -> dict[str, Any]:
    """Everything held about the patron, by kind, each record's columns by name: the record's
    own personal data, and the duplicate records merged into it with theirs (kept as they were
    at the merge)."""
    document: dict[str, Any] = {"exported_at": now.isoformat()}
    held = holdings(session, patron)
    for table, rows in held.items():
        key = HANDLING[table].export_key
        if key is not None:
            document[key] = [plain(row) for row in rows]
    for key in SINGLE:
        document[key] = next(iter(document[key]), None)
    records = [
        data | {"home_branch": record.home_branch.name}
        for record, data in zip(held["patron"], document["personal_data"], strict=True)
    ]
    document["personal_data"], document[MERGED_RECORDS] = records[0], records[1:]
    return document


def plain(row: Base) -> dict[str, Any]:
    """A row's columns as JSON holds them, its table's left-out columns left out."""
    mapper = inspect(row).mapper
    left_out = LEFT_OUT_COLUMNS.get(row.__tablename__, frozenset())
    return {
        column.name: _value(getattr(row, key))
        for key, column in mapper.columns.items()
        if column.name not in left_out
    }


def _value(value: Any) -> Any:
    """A column's value as JSON holds it: times and dates in ISO 8601, amounts as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value
