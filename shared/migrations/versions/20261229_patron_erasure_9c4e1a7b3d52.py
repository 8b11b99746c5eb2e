"""patron_erasure, payment.anonymised_at; audit entries of an erased patron may lose their values

Erasing a patron (recht op vergetelheid) records the erased record's id in patron_erasure,
keeps the patron's payments without them (anonymised_at: purged after the bookkeeping period),
and clears the values before and after of the audit entries about the patron. The append-only
trigger allows that one change more: both values to NULL, nothing else changed, and only for an
entry whose patron is in patron_erasure.

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
ERASED = "EXISTS (SELECT 1 FROM patron_erasure WHERE patron_id = OLD.patron_id)"

SQLITE_TRIGGER = f"""
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.action IS NOT OLD.action
  OR NEW.staff_username IS NOT OLD.staff_username
  OR ((NEW.before IS NOT OLD.before OR NEW.after IS NOT OLD.after)
      AND NOT (NEW.before IS NULL AND NEW.after IS NULL AND {ERASED}))
  OR (NEW.patron_id IS NOT OLD.patron_id
      AND (NEW.patron_id IS NOT NULL OR EXISTS (SELECT 1 FROM patron WHERE id = OLD.patron_id)))
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
     OR ((NEW.before::text IS DISTINCT FROM OLD.before::text
          OR NEW.after::text IS DISTINCT FROM OLD.after::text)
         AND NOT (NEW.before IS NULL AND NEW.after IS NULL AND {ERASED}))
     OR (NEW.patron_id IS DISTINCT FROM OLD.patron_id
         AND (NEW.patron_id IS NOT NULL
              OR EXISTS (SELECT 1 FROM patron WHERE id = OLD.patron_id)))
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
        sa.Column("patron_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("erased_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patron_id", name=op.f("pk_patron_erasure")),
    )
    op.add_column("payment", sa.Column("anonymised_at", UTCDateTime(timezone=True), nullable=True))
    _replace_trigger(SQLITE_TRIGGER, POSTGRESQL_FUNCTION)


def downgrade():
    previous = _previous_revision()
    _replace_trigger(
        previous.SQLITE_TRIGGER, previous.POSTGRESQL_FUNCTION.replace("CREATE", "CREATE OR REPLACE")
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("payment") as batch_op:
            batch_op.drop_column("anonymised_at")
    op.drop_table("patron_erasure")


def _replace_trigger(sqlite_trigger: str, postgresql_function: str) -> None:
    """The append-only trigger with this condition (PostgreSQL: its function replaced)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql_function)
    else:
        op.execute("DROP TRIGGER audit_entry_append_only")
        op.execute(sqlite_trigger)


def _previous_revision() -> ModuleType:
    """The revision that made the trigger, whose condition a downgrade restores."""
    path = next(Path(__file__).parent.glob("*_63f425eeb6f4.py"))
    spec = importlib.util.spec_from_file_location("audit_append_only", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
