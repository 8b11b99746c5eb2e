"""a signup's first payment names the period it pays (the subscription's first)

A bank can take that payment back like any collection; the period is then unpaid again, found
by the payment's period_start as for every other period's payment. A signup payment taken back
before this revision (and not paid since) makes its subscription *invoiced* at its next change,
without a mail: that is what it is (the chargeback mail went out when it was recorded).

Revision ID: 28084d57ef8e
Revises: d8f3b6a2e4c1
Create Date: 2026-12-19 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "28084d57ef8e"
down_revision = "d8f3b6a2e4c1"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE payment SET period_start = "
        "(SELECT start_date FROM subscription WHERE subscription.id = payment.subscription_id) "
        "WHERE purpose = 'registration' AND subscription_id IS NOT NULL AND period_start IS NULL"
    )


def downgrade():
    op.execute("UPDATE payment SET period_start = NULL WHERE purpose = 'registration'")
