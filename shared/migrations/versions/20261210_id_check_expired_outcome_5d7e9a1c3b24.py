"""id_check: the outcome `expired`, for an ID document past its expiry date

Revision ID: 5d7e9a1c3b24
Revises: c4d81e2f6a07
Create Date: 2026-12-10 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5d7e9a1c3b24"
down_revision = "c4d81e2f6a07"
branch_labels = None
depends_on = None

# The values as they were when this revision was written (a migration never reads the models).
BEFORE = ("verified", "mismatch", "unreadable", "integrity")
AFTER = (*BEFORE, "expired")


def _condition(values: tuple[str, ...]) -> str:
    """The CHECK condition: the outcome is one of the values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"outcome IN ({listed})"


def _check(values: tuple[str, ...]) -> None:
    """Replace the outcome's CHECK constraint with one allowing these values."""
    with op.batch_alter_table("id_check", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_id_check_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_id_check_outcome"), _condition(values))


def upgrade():
    _check(AFTER)


def downgrade():
    # Before this revision an expired document was not told apart: it was not verified.
    op.execute("UPDATE id_check SET outcome = 'mismatch' WHERE outcome = 'expired'")
    _check(BEFORE)
