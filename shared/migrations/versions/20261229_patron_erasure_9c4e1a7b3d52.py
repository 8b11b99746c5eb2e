"""patron_erasure, payment.anonymised_at; erasing a patron detaches their audit entries

Erasing a patron (recht op vergetelheid) records which record was erased in patron_erasure (its
id and when it was made: SQLite gives a deleted highest id out again), keeps the patron's
payments without them (anonymised_at: purged after the bookkeeping period), and detaches the
audit entries about the patron, their values before and after cleared, in one UPDATE after the
patron row is deleted. The audit entries' foreign key to the patron is checked at commit instead
of setting NULL at once, so the entries still name the deleted record when that UPDATE runs; and
the append-only trigger allows exactly that one change: the patron and both values to NULL,
nothing else, and only when no patron row with the entry's patron id exists.

Revision ID: 9c4e1a7b3d52
Revises: 3f8a2c6e1d47
Create Date: 2026-12-29 10:00:00.000000

"""

import importlib.util
import warnings
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "9c4e1a7b3d52"
down_revision = "3f8a2c6e1d47"
branch_labels = None
depends_on = None

MESSAGE = "audit entries are append-only"
PATRON_KEY = "fk_audit_entry_patron_id_patron"
# The one change to an entry's patron and values: the record is gone, the entry keeps no values.
DETACHED = """(OLD.patron_id IS NOT NULL AND NEW.patron_id IS NULL
      AND NEW.before IS NULL AND NEW.after IS NULL
      AND NOT EXISTS (SELECT 1 FROM patron WHERE id = OLD.patron_id))"""

SQLITE_TRIGGER = f"""
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.action IS NOT OLD.action
  OR NEW.staff_username IS NOT OLD.staff_username
  OR ((NEW.patron_id IS NOT OLD.patron_id OR NEW.before IS NOT OLD.before
       OR NEW.after IS NOT OLD.after)
      AND NOT {DETACHED})
  OR (NEW.staff_account_id IS NOT OLD.staff_account_id
      AND (NEW.staff_account_id IS NOT NULL
           OR EXISTS (SELECT 1 FROM login_account WHERE id = OLD.staff_account_id)))
BEGIN
  SELECT RAISE(ABORT, '{MESSAGE}');
END
"""

# json has no equality operator in PostgreSQL: its text is compared.
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
     OR NEW.action IS DISTINCT FROM OLD.action
     OR NEW.staff_username IS DISTINCT FROM OLD.staff_username
     OR ((NEW.patron_id IS DISTINCT FROM OLD.patron_id
          OR NEW.before::text IS DISTINCT FROM OLD.before::text
          OR NEW.after::text IS DISTINCT FROM OLD.after::text)
         AND NOT {DETACHED})
     OR (NEW.staff_account_id IS DISTINCT FROM OLD.staff_account_id
         AND (NEW.staff_account_id IS NOT NULL
              OR EXISTS (SELECT 1 FROM login_account WHERE id = OLD.staff_account_id))) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
"""


def upgrade():
    op.create_table(
        "patron_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("patron_created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patron_erasure")),
    )
    op.add_column("payment", sa.Column("anonymised_at", UTCDateTime(timezone=True), nullable=True))
    _patron_key(ondelete=None, initially="DEFERRED")
    _replace_trigger(SQLITE_TRIGGER, POSTGRESQL_FUNCTION)


def downgrade():
    previous = _previous_revision()
    _patron_key(ondelete="SET NULL", initially=None)
    _replace_trigger(
        previous.SQLITE_TRIGGER, previous.POSTGRESQL_FUNCTION.replace("CREATE", "CREATE OR REPLACE")
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("payment") as batch_op:
            batch_op.drop_column("anonymised_at")
    op.drop_table("patron_erasure")


def _patron_key(ondelete: str | None, initially: str | None) -> None:
    """The audit entries' foreign key to the patron made again with these options. On SQLite
    audit_entry is copied (no expression index of its own; patron's, reflected as the key's
    target, is not copied), which drops the trigger: `_replace_trigger` makes it again."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("audit_entry") as batch_op:
            batch_op.drop_constraint(PATRON_KEY, type_="foreignkey")
            batch_op.create_foreign_key(
                PATRON_KEY,
                "patron",
                ["patron_id"],
                ["id"],
                ondelete=ondelete,
                deferrable=initially is not None or None,
                initially=initially,
            )


def _replace_trigger(sqlite_trigger: str, postgresql_function: str) -> None:
    """The append-only trigger with this condition (PostgreSQL: its function replaced; SQLite:
    made again, the table copy having dropped it)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql_function)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")
        op.execute(sqlite_trigger)


def _previous_revision() -> ModuleType:
    """The revision that made the trigger, whose condition a downgrade restores."""
    path = next(Path(__file__).parent.glob("*_63f425eeb6f4.py"))
    spec = importlib.util.spec_from_file_location("audit_append_only", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
