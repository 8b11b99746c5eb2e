"""cancel reasons: the catalogue's list of reasons for cancelling a subscription

The table is filled by `catalogue load` (the [[cancel_reason]] entries of the organisation's
file): load the catalogue again after this upgrade, or nobody can cancel (a reason is required).

Revision ID: c7aaa14d2b16
Revises: 42d25b3b8e74
Create Date: 2026-12-24 08:13:29.942828

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7aaa14d2b16"
down_revision = "42d25b3b8e74"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cancel_reason",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("desk_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_cancel_reason")),
    )


def downgrade():
    op.drop_table("cancel_reason")
