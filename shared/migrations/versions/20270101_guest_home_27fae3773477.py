"""guest_home: a guest patron's home library and card (seed 003); subscription_type.guest and
loan_strips for the guest subscriptions (gastleen), subscription.loan_strips granted

Revision ID: 27fae3773477
Revises: 2537b4c7bec7
Create Date: 2027-01-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "27fae3773477"
down_revision = "2537b4c7bec7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guest_home",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("isil", sa.String(length=16), nullable=False),
        sa.Column("home_card_number", sa.String(length=20), nullable=False),
        sa.Column(
            "verification",
            sa.Enum(
                "verified",
                "unverified",
                name="verification",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("home_valid_through", sa.Date(), nullable=True),
        sa.Column("registered_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customer_type_code", sa.String(length=2), nullable=True),
        sa.Column("synced_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_error", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_guest_home_patron_id_patron")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_home")),
        sa.UniqueConstraint("isil", "home_card_number", name="uq_guest_home_card"),
        sa.UniqueConstraint("patron_id", name=op.f("uq_guest_home_patron_id")),
    )
    # Plain ALTER TABLE, not batch mode: a batch copy of subscription would lose
    # ix_subscription_schedule_to_start (see 42d25b3b8e74).
    op.add_column("subscription", sa.Column("loan_strips", sa.Integer(), nullable=True))
    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "guest",
                sa.Enum(
                    "first",
                    "again",
                    name="guest",
                    native_enum=False,
                    create_constraint=True,
                    length=8,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("loan_strips", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.drop_column("loan_strips")
        batch_op.drop_constraint(op.f("ck_subscription_type_guest"), type_="check")
        batch_op.drop_column("guest")
    op.drop_column("subscription", "loan_strips")
    op.drop_table("guest_home")
