"""a change to direct debit is paid by a first payment of its own purpose, `change`

Revision ID: 7b2d4f6a8c13
Revises: 5e1c0a7d9b24
Create Date: 2026-12-27 10:00:00.000000

"""

import warnings

from alembic import op
from sqlalchemy.exc import SAWarning

# revision identifiers, used by Alembic.
revision = "7b2d4f6a8c13"
down_revision = "5e1c0a7d9b24"
branch_labels = None
depends_on = None

BEFORE = ("registration", "period", "balance")
AFTER = (*BEFORE, "change")


def _check(values):
    """The purpose column's CHECK: one of the values (as a3c5e7f90b12 made it). On SQLite the
    table is copied; payment has no expression index to lose, only the tables its foreign keys
    name have (patron, subscription), which are reflected, not copied: that warning is moot."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("payment", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_payment_purpose"), type_="check")
            listed = ", ".join(f"'{value}'" for value in values)
            batch_op.create_check_constraint(op.f("ck_payment_purpose"), f"purpose IN ({listed})")


def upgrade():
    _check(AFTER)


def downgrade():
    _check(BEFORE)
