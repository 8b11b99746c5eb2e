"""isil_library, isil_prefix: the ISIL directory that tells which library issued a card, by the
branch prefix of its number (guest patrons, seed 003)

Revision ID: 2537b4c7bec7
Revises: 6b3d9e1f4a27
Create Date: 2026-12-31 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2537b4c7bec7"
down_revision = "6b3d9e1f4a27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "isil_library",
        sa.Column("isil", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("isil", name=op.f("pk_isil_library")),
    )
    op.create_table(
        "isil_prefix",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("isil", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["isil"],
            ["isil_library.isil"],
            name=op.f("fk_isil_prefix_isil_isil_library"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isil_prefix")),
        sa.UniqueConstraint("prefix", "isil", name="uq_isil_prefix"),
    )
    op.create_index(op.f("ix_isil_prefix_prefix"), "isil_prefix", ["prefix"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_isil_prefix_prefix"), table_name="isil_prefix")
    op.drop_table("isil_prefix")
    op.drop_table("isil_library")
