"""chargeback: money a bank took back from a paid payment, recorded once per Mollie id

A reversed or late-failed direct debit (and any other chargeback) stayed paid in OpenBalie:
nothing was charged and nobody was told. Each chargeback is now a row, and the payment keeps
what was charged back, so its period counts as unpaid again.

Revision ID: d8f3b6a2e4c9
Revises: c5e2a8f4d1b7
Create Date: 2026-12-17 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "d8f3b6a2e4c9"
down_revision = "c5e2a8f4d1b7"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (SQLite takes one with a default): no batch copy of the payment table.
    op.add_column(
        "payment",
        sa.Column(
            "amount_charged_back",
            sa.Numeric(precision=10, scale=2),
            nullable=False,
            server_default="0.00",
        ),
    )
    op.create_table(
        "chargeback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_chargeback_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chargeback")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_chargeback_provider_id")),
    )
    op.create_index(op.f("ix_chargeback_payment_id"), "chargeback", ["payment_id"], unique=False)
    op.create_index(op.f("ix_chargeback_recorded_at"), "chargeback", ["recorded_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_chargeback_recorded_at"), table_name="chargeback")
    op.drop_index(op.f("ix_chargeback_payment_id"), table_name="chargeback")
    op.drop_table("chargeback")
    op.drop_column("payment", "amount_charged_back")  # SQLite drops a plain column itself
