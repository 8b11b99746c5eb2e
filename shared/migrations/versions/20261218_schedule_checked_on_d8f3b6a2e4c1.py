"""schedule_checked_on: when a direct debit's schedule was last fetched to see that it runs

Mollie suspends a schedule (a mandate made invalid) or staff cancel it in the dashboard without a
webhook; reconciliation asks about each schedule once before its next collection.

Revision ID: d8f3b6a2e4c1
Revises: d8f3b6a2e4c9
Create Date: 2026-12-18 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8f3b6a2e4c1"
down_revision = "d8f3b6a2e4c9"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: SQLite adds and drops a column in place (3.35 and later),
# where a batch copy of the table would lose the expression index ix_subscription_schedule_to_start.
def upgrade():
    op.add_column("subscription", sa.Column("schedule_checked_on", sa.Date(), nullable=True))


def downgrade():
    op.drop_column("subscription", "schedule_checked_on")
