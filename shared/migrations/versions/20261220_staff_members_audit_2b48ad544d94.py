"""staff members with a role and a second factor, the audit log, passwords that must change

Staff logins from before become coordinators (they could do everything); they enrol a second
factor at their next login.

Revision ID: 2b48ad544d94
Revises: 69b198207740
Create Date: 2026-12-20 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "2b48ad544d94"
down_revision = "69b198207740"
branch_labels = None
depends_on = None

ROLES = ("desk", "coordinator")  # as when this revision was written


def upgrade():
    op.add_column(
        "login_account",
        sa.Column("password_must_change", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "staff_member",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=12),
            nullable=False,
        ),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["login_account.id"],
            name=op.f("fk_staff_member_account_id_login_account"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_staff_member")),
    )
    op.execute(
        "INSERT INTO staff_member (account_id, role, created_at) "
        "SELECT id, 'coordinator', created_at FROM login_account WHERE role = 'staff'"
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_account_id", sa.Integer(), nullable=True),
        sa.Column("staff_username", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_account_id"],
            ["login_account.id"],
            name=op.f("fk_audit_entry_staff_account_id_login_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patron_id"],
            ["patron.id"],
            name=op.f("fk_audit_entry_patron_id_patron"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"], unique=False)
    op.create_index("ix_audit_entry_patron_at", "audit_entry", ["patron_id", "at"], unique=False)
    op.create_index(
        "ix_audit_entry_staff_at", "audit_entry", ["staff_account_id", "at"], unique=False
    )


def downgrade():
    op.drop_index("ix_audit_entry_staff_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_patron_at", table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_at"), table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("staff_member")
    op.drop_column("login_account", "password_must_change")
