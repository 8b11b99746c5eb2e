"""subscription changes: an upgrade made at once, or a change planned for the next period

Revision ID: 5e1c0a7d9b24
Revises: be67deb0d932
Create Date: 2026-12-26 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "5e1c0a7d9b24"
down_revision = "be67deb0d932"
branch_labels = None
depends_on = None


def _enum(name, length, *values):
    """A VARCHAR column's type with a CHECK constraint of its values, as enum_column makes."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    op.create_table(
        "subscription_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=10), nullable=False),
        sa.Column("paid_by", _enum("paid_by", 20, "once", "direct_debit"), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _enum("status", 12, "awaiting", "planned", "started", "undone"),
            nullable=False,
        ),
        sa.Column("charged", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("new_subscription_id", sa.Integer(), nullable=True),
        sa.Column("by_desk", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["new_subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_change_new_subscription_id_subscription"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_subscription_change_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_change_subscription_id_subscription"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["subscription_type.code"],
            name=op.f("fk_subscription_change_type_code_subscription_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_change")),
    )
    op.create_index(
        "ix_subscription_change_status_starts",
        "subscription_change",
        ["status", "starts_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_subscription_change_subscription_id"),
        "subscription_change",
        ["subscription_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_subscription_change_subscription_id"), table_name="subscription_change")
    op.drop_index("ix_subscription_change_status_starts", table_name="subscription_change")
    op.drop_table("subscription_change")
