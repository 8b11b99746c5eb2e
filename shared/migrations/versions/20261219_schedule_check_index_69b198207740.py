"""the weekly schedule check reads which schedules were asked about from the index

The check looks at direct debits ending within a week and skips those asked about this week;
with schedule_checked_on in the index on (paid_by, end_date) it does not read their rows. The
new index serves every query the old one did (the same leading columns).

Revision ID: 69b198207740
Revises: 28084d57ef8e
Create Date: 2026-12-19 10:05:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "69b198207740"
down_revision = "28084d57ef8e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_subscription_plan_end_checked",
        "subscription",
        ["paid_by", "end_date", "schedule_checked_on"],
        unique=False,
    )
    op.drop_index("ix_subscription_plan_end", table_name="subscription")


def downgrade():
    op.create_index(
        "ix_subscription_plan_end", "subscription", ["paid_by", "end_date"], unique=False
    )
    op.drop_index("ix_subscription_plan_end_checked", table_name="subscription")
