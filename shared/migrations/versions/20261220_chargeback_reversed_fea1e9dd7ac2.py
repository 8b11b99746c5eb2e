"""chargeback.reversed_at: when the bank gave a chargeback's money back after all

Mollie reports a reversed chargeback by its `reversedAt`; OpenBalie ignored it, so the patron kept
owing what the bank had returned. The moment is now kept, and set once: what a reversal books
(the patron credited, the period paid again) happens only for the process that set it.

Revision ID: fea1e9dd7ac2
Revises: eae8355c7caf
Create Date: 2026-12-19 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "fea1e9dd7ac2"
down_revision = "eae8355c7caf"
branch_labels = None
depends_on = None


# A plain ADD COLUMN (nullable, no default): SQLite adds and drops it in place, no batch copy.
def upgrade():
    op.add_column(
        "chargeback",
        sa.Column("reversed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_column("chargeback", "reversed_at")
