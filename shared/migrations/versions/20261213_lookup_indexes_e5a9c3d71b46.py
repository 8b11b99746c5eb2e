"""look-ups by index: logging in, a login's patrons, the purge and reconciliation

Logging in by e-mail compared lower(email) with a full scan of login_account; the patrons of a
login (every account page and token exchange) scanned patron; the purge scanned login_account,
registration and payment; reconciliation scanned payment and refund for the unfinished ones.
At a million members each grew with the table.

Revision ID: e5a9c3d71b46
Revises: c4d2e8a1f605
Create Date: 2026-12-13 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a9c3d71b46"
down_revision = "c4d2e8a1f605"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_login_account_email_lower", "login_account", [sa.text("lower(email)")], unique=False
    )
    op.create_index(
        "ix_patron_library_email_lower", "patron", [sa.text("lower(library_email)")], unique=False
    )
    op.create_index(
        op.f("ix_patron_login_account_id"), "patron", ["login_account_id"], unique=False
    )
    op.create_index(
        "ix_login_account_unconfirmed_created",
        "login_account",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text("confirmed_at IS NULL"),
        postgresql_where=sa.text("confirmed_at IS NULL"),
    )
    op.create_index(
        op.f("ix_registration_login_account_id"), "registration", ["login_account_id"], unique=False
    )
    op.create_index(
        "ix_registration_state_created", "registration", ["state", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_payment_registration_id"), "payment", ["registration_id"], unique=False
    )
    op.create_index(op.f("ix_payment_status"), "payment", ["status"], unique=False)
    op.create_index(op.f("ix_refund_status"), "refund", ["status"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_refund_status"), table_name="refund")
    op.drop_index(op.f("ix_payment_status"), table_name="payment")
    op.drop_index(op.f("ix_payment_registration_id"), table_name="payment")
    op.drop_index("ix_registration_state_created", table_name="registration")
    op.drop_index(op.f("ix_registration_login_account_id"), table_name="registration")
    op.drop_index("ix_login_account_unconfirmed_created", table_name="login_account")
    op.drop_index(op.f("ix_patron_login_account_id"), table_name="patron")
    op.drop_index("ix_patron_library_email_lower", table_name="patron")
    op.drop_index("ix_login_account_email_lower", table_name="login_account")
