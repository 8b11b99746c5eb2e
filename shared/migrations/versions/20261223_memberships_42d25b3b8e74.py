"""memberships: renewal steps, letters, grace, status reasons, renewal rules in the catalogue

Revision ID: 42d25b3b8e74
Revises: 63f425eeb6f4
Create Date: 2026-12-23 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "42d25b3b8e74"
down_revision = "63f425eeb6f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "notice",
                "invoice",
                "reminder",
                "lapsed",
                "renewed_free",
                "moved",
                "ended",
                name="step",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("printed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("printed_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_letter_patron_id_patron")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_letter_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_patron_id"), ["patron_id"], unique=False)
        batch_op.create_index(
            "ix_letter_printed_created", ["printed_at", "created_at"], unique=False
        )

    op.create_table(
        "membership_step",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "notice",
                "invoice",
                "reminder",
                "lapsed",
                "renewed_free",
                "moved",
                "ended",
                name="step",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_membership_step_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint(
            "subscription_id", "ends_on", "step", name=op.f("pk_membership_step")
        ),
    )
    # Plain ALTER TABLE, not batch mode: SQLite adds and drops a column in place (3.35 and
    # later), where a batch copy of the table would lose ix_subscription_schedule_to_start.
    for column in _subscription_columns():
        op.add_column("subscription", column)
    op.add_column(
        "subscription_type",
        sa.Column("renews", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column("subscription_type", sa.Column("next_code", sa.String(length=10), nullable=True))


def _subscription_columns():
    """The columns this revision adds to subscription."""
    return [
        sa.Column("cancel_reason", sa.String(length=40), nullable=True),
        sa.Column("status_reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status_changed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("grace_until", sa.Date(), nullable=True),
    ]


def downgrade():
    op.drop_column("subscription_type", "next_code")
    op.drop_column("subscription_type", "renews")
    for column in _subscription_columns():
        op.drop_column("subscription", column.name)
    op.drop_table("membership_step")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_printed_created")
        batch_op.drop_index(batch_op.f("ix_letter_patron_id"))
    op.drop_table("letter")
