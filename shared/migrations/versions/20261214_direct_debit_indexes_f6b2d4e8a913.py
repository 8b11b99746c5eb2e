"""look-ups by index: a patron's subscriptions and payments, direct debits to reconcile

Every token exchange and account page loads the patron's subscriptions, which scanned
subscription; reconciliation walked every direct-debit subscription and asked the provider about
each; every collection asked whether its period was paid by scanning payment.

Revision ID: f6b2d4e8a913
Revises: e5a9c3d71b46
Create Date: 2026-12-14 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f6b2d4e8a913"
down_revision = "e5a9c3d71b46"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_subscription_patron_id"), "subscription", ["patron_id"], unique=False)
    op.create_index(
        "ix_subscription_plan_start", "subscription", ["paid_by", "start_date"], unique=False
    )
    op.create_index(
        "ix_subscription_plan_end", "subscription", ["paid_by", "end_date"], unique=False
    )
    op.create_index(op.f("ix_payment_patron_id"), "payment", ["patron_id"], unique=False)
    op.create_index(
        "ix_payment_subscription_period",
        "payment",
        ["subscription_id", "period_start"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_payment_subscription_period", table_name="payment")
    op.drop_index(op.f("ix_payment_patron_id"), table_name="payment")
    op.drop_index("ix_subscription_plan_end", table_name="subscription")
    op.drop_index("ix_subscription_plan_start", table_name="subscription")
    op.drop_index(op.f("ix_subscription_patron_id"), table_name="subscription")
