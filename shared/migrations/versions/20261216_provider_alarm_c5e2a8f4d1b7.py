"""provider_alarm: Mollie refusing our API key stops payments in every process, once

A 401 was treated as an outage: patrons were told to try again for ever, webhooks answered 503
and reconcile logged every run. Now one row per refused key raises an alarm for staff.

Revision ID: c5e2a8f4d1b7
Revises: a7c3e9d1f5b2
Create Date: 2026-12-16 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "c5e2a8f4d1b7"
down_revision = "a7c3e9d1f5b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_alarm",
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("raised_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_tried_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("key_fingerprint", name=op.f("pk_provider_alarm")),
    )


def downgrade():
    op.drop_table("provider_alarm")
