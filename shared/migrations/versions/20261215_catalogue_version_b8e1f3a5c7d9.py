"""catalogue_version: processes keep the catalogue they read until it is loaded again

The signup page read the offered subscriptions on every request; now each process keeps them and
reads one row to learn whether any process has loaded the catalogue since.

Revision ID: b8e1f3a5c7d9
Revises: f6b2d4e8a913
Create Date: 2026-12-15 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e1f3a5c7d9"
down_revision = "f6b2d4e8a913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )


def downgrade():
    op.drop_table("catalogue_version")
