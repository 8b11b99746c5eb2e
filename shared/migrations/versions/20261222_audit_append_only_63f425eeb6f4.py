"""audit_entry: the database refuses to change a recorded entry

The ORM refused already; now an UPDATE by any program is refused too. The one change allowed is
what removing a patron or login does to an entry by its foreign key: their id becomes NULL once
they are gone (the staff member's name stays). Deleting stays possible, for the retention purge;
a table rebuilt by a later SQLite migration must create the trigger again.

Revision ID: 63f425eeb6f4
Revises: a2e2d6750436
Create Date: 2026-12-22 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "63f425eeb6f4"
down_revision = "a2e2d6750436"
branch_labels = None
depends_on = None

MESSAGE = "audit entries are append-only"

SQLITE_TRIGGER = f"""
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.action IS NOT OLD.action
  OR NEW.staff_username IS NOT OLD.staff_username
  OR NEW.before IS NOT OLD.before OR NEW.after IS NOT OLD.after
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
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
     OR NEW.action IS DISTINCT FROM OLD.action
     OR NEW.staff_username IS DISTINCT FROM OLD.staff_username
     OR NEW.before::text IS DISTINCT FROM OLD.before::text
     OR NEW.after::text IS DISTINCT FROM OLD.after::text
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

POSTGRESQL_TRIGGER = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
"""


def upgrade():
    if _on_postgresql():
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    if _on_postgresql():
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_append_only")


def _on_postgresql() -> bool:
    """Whether this database is PostgreSQL (else SQLite)."""
    return op.get_bind().dialect.name == "postgresql"
