"""letter.amount: what a renewal letter asks to pay, as owed when it was made (a reprint says
the same)

Revision ID: 5c1e9a7d3b20
Revises: 7b2d4f6a8c13
Create Date: 2026-12-25 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1e9a7d3b20"
down_revision = "7b2d4f6a8c13"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("letter", sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=True))


def downgrade():
    op.drop_column("letter", "amount")
