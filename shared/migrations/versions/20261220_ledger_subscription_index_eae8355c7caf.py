"""indexes on the ledger's subscription and payment: holding either row checks its ledger lines

SQLite checks the foreign keys of a row's children when the row is updated (a no-op update is
how `lock_row` holds it): without these indexes each lock of a subscription or a payment read
the whole ledger.

Revision ID: eae8355c7caf
Revises: 2b48ad544d94
Create Date: 2026-12-20 11:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "eae8355c7caf"
down_revision = "2b48ad544d94"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_ledger_entry_subscription_id"), "ledger_entry", ["subscription_id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_entry_payment_id"), "ledger_entry", ["payment_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_ledger_entry_payment_id"), table_name="ledger_entry")
    op.drop_index(op.f("ix_ledger_entry_subscription_id"), table_name="ledger_entry")
