"""payments: direct debit, ledger, refunds, kiosk devices

Revision ID: db35d685ac5c
Revises: 65cde8c90613
Create Date: 2026-11-25 11:35:49.544583

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "db35d685ac5c"
down_revision = "65cde8c90613"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get server defaults: every payment so far was a one-off signup payment.
    op.create_table(
        "kiosk_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_kiosk_device_branch_id_branch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kiosk_device_token_hash")),
    )
    op.create_table(
        "mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("holder_name", sa.String(length=120), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("signature_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_mandate_patron_id_patron")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_mandate_provider_id")),
    )
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandate_patron_id"), ["patron_id"], unique=False)

    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_refund_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_refund_idempotency_key")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_refund_provider_id")),
    )
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_payment_id"), ["payment_id"], unique=False)

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_ledger_entry_patron_id_patron")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_ledger_entry_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_ledger_entry_refund_id_refund")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_ledger_entry_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_ledger_entry_dedupe_key")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entry_patron_id"), ["patron_id"], unique=False)

    with op.batch_alter_table("patron", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mollie_customer_id", sa.String(length=40), nullable=True))

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose", sa.String(length=20), nullable=False, server_default="registration"
            )
        )
        batch_op.add_column(
            sa.Column(
                "sequence_type", sa.String(length=10), nullable=False, server_default="oneoff"
            )
        )
        batch_op.add_column(sa.Column("customer_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("terminal_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("kiosk_device_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "amount_refunded",
                sa.Numeric(precision=10, scale=2),
                nullable=False,
                server_default="0.00",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_subscription_id_subscription"),
            "subscription",
            ["subscription_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_kiosk_device_id_kiosk_device"),
            "kiosk_device",
            ["kiosk_device_id"],
            ["id"],
        )

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_plan", sa.String(length=20), nullable=False, server_default="once")
        )
        batch_op.add_column(sa.Column("mollie_customer_id", sa.String(length=40), nullable=True))

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_start", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("mollie_subscription_id", sa.String(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=48), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled_at", shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_subscription_mollie_subscription_id"), ["mollie_subscription_id"]
        )

    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_plans", sa.JSON(), nullable=False, server_default='["once"]')
        )

    _backfill_ledger()


def _backfill_ledger():
    """Book what was paid before the ledger existed, so no refund later creates a false debt."""
    op.execute(
        "UPDATE payment SET patron_id = (SELECT r.patron_id FROM registration r"
        " WHERE r.id = payment.registration_id)"
        " WHERE patron_id IS NULL AND registration_id IS NOT NULL"
    )
    op.execute(
        "UPDATE payment SET subscription_id = (SELECT MIN(s.id) FROM subscription s"
        " WHERE s.patron_id = payment.patron_id)"
        " WHERE patron_id IS NOT NULL AND status = 'paid' AND surplus = false"
    )
    op.execute(
        "INSERT INTO ledger_entry (patron_id, entry_type, amount, description, dedupe_key,"
        " subscription_id, created_at)"
        " SELECT s.patron_id, 'charge', s.price, 'abonnement ' || s.type_code,"
        " 'charge:subscription:' || s.id, s.id, p.created_at"
        " FROM subscription s JOIN patron p ON p.id = s.patron_id"
    )
    op.execute(
        "INSERT INTO ledger_entry (patron_id, entry_type, amount, description, dedupe_key,"
        " payment_id, subscription_id, created_at)"
        " SELECT patron_id, 'payment', amount, description, 'payment:' || id, id,"
        " subscription_id, COALESCE(paid_at, created_at)"
        " FROM payment WHERE status = 'paid' AND patron_id IS NOT NULL"
    )


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("subscription_type", schema=None) as batch_op:
        batch_op.drop_column("payment_plans")

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_subscription_mollie_subscription_id"), type_="unique"
        )
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("mollie_subscription_id")
        batch_op.drop_column("renewal_start")

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("mollie_customer_id")
        batch_op.drop_column("payment_plan")

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_kiosk_device_id_kiosk_device"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_payment_subscription_id_subscription"), type_="foreignkey"
        )
        batch_op.drop_column("amount_refunded")
        batch_op.drop_column("kiosk_device_id")
        batch_op.drop_column("terminal_id")
        batch_op.drop_column("period_start")
        batch_op.drop_column("subscription_id")
        batch_op.drop_column("customer_id")
        batch_op.drop_column("sequence_type")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("patron", schema=None) as batch_op:
        batch_op.drop_column("mollie_customer_id")

    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_patron_id"))

    op.drop_table("ledger_entry")
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_payment_id"))

    op.drop_table("refund")
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_patron_id"))

    op.drop_table("mandate")
    op.drop_table("kiosk_device")
    # ### end Alembic commands ###
