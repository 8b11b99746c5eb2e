"""subscription_change: one change awaiting or planned per subscription at most (a double
submit's second is refused by the database)

Revision ID: 3f8a2c6e1d47
Revises: 5d1e0c7a9b42
Create Date: 2026-12-28 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f8a2c6e1d47"
down_revision = "5d1e0c7a9b42"
branch_labels = None
depends_on = None

PENDING = sa.text("status IN ('awaiting', 'planned')")
# A double submit from before the index: of a subscription's pending changes the newest stays.
KEEP_NEWEST = sa.text(
    "UPDATE subscription_change SET status = 'undone'"
    " WHERE status IN ('awaiting', 'planned') AND id NOT IN"
    " (SELECT max(id) FROM subscription_change"
    " WHERE status IN ('awaiting', 'planned') GROUP BY subscription_id)"
)


def upgrade():
    op.execute(KEEP_NEWEST)
    op.create_index(
        "uq_subscription_change_pending",
        "subscription_change",
        ["subscription_id"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade():
    op.drop_index("uq_subscription_change_pending", table_name="subscription_change")
