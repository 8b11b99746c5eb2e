"""daily job: indexes for the subscriptions whose grace period ends (reminders, lapses) and those
of a type that end on a day (free renewals, youth moving on); outbox mails the worker renders

Revision ID: 5d1e0c7a9b42
Revises: 5c1e9a7d3b20
Create Date: 2026-12-28 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1e0c7a9b42"
down_revision = "5c1e9a7d3b20"
branch_labels = None
depends_on = None


def upgrade():
    # Plain create_index (no batch mode): copying subscription on SQLite loses its expression index.
    op.create_index("ix_subscription_status_grace", "subscription", ["status", "grace_until"])
    op.create_index("ix_subscription_type_end", "subscription", ["type_code", "end_date"])
    with op.batch_alter_table("outbox_mail") as batch:
        batch.alter_column("message", existing_type=sa.LargeBinary(), nullable=True)
        batch.add_column(sa.Column("render_from", sa.JSON(), nullable=True))


def downgrade():
    op.execute("DELETE FROM outbox_mail WHERE message IS NULL")
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_column("render_from")
        batch.alter_column("message", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_index("ix_subscription_type_end", table_name="subscription")
    op.drop_index("ix_subscription_status_grace", table_name="subscription")
