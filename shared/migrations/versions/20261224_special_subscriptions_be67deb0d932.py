"""special subscriptions: selection codes, a registration fee and per-patron limits in the
catalogue; the selection code recorded on a subscription

Revision ID: be67deb0d932
Revises: c7aaa14d2b16
Create Date: 2026-12-24 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "be67deb0d932"
down_revision = "c7aaa14d2b16"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "selection",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("discount_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_selection")),
    )
    # Plain ALTER TABLE on subscription: a batch copy would lose its expression index.
    op.add_column("subscription", sa.Column("selection_code", sa.String(length=20), nullable=True))

    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registration_fee",
                sa.Numeric(precision=10, scale=2),
                server_default="0",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "requires_selection", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "patron_limit",
                sa.Enum(
                    "one_at_a_time",
                    "once_ever",
                    name="patron_limit",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_subscription_type_patron_limit"), type_="check")
        batch_op.drop_column("patron_limit")
        batch_op.drop_column("requires_selection")
        batch_op.drop_column("registration_fee")

    op.drop_column("subscription", "selection_code")

    op.drop_table("selection")
