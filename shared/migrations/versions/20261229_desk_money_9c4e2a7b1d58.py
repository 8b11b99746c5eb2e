"""money at the desk: desks, cash as a payment method, waivers on the ledger, and which desk and
staff login took a payment or gave a refund

Revision ID: 9c4e2a7b1d58
Revises: 8c4e2a6f1b39
Create Date: 2026-12-29 10:00:00.000000

"""

import warnings

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

# revision identifiers, used by Alembic.
revision = "9c4e2a7b1d58"
down_revision = "8c4e2a6f1b39"
branch_labels = None
depends_on = None

METHODS = ("ideal", "directdebit", "pointofsale")
ENTRY_TYPES = ("charge", "payment", "refund")


def _listed(values):
    """The values as an SQL list."""
    return ", ".join(f"'{value}'" for value in values)


def upgrade():
    op.create_table(
        "desk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_desk_branch_id_branch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk")),
        sa.UniqueConstraint("code", name=op.f("uq_desk_code")),
    )
    op.create_index(op.f("ix_desk_branch_id"), "desk", ["branch_id"], unique=False)
    op.create_table(
        "waiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=True),
        sa.Column("charge_key", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("staff_account_id", sa.Integer(), nullable=True),
        sa.Column("staff_username", sa.String(length=60), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"], name=op.f("fk_waiver_desk_id_desk")),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_waiver_patron_id_patron")
        ),
        sa.ForeignKeyConstraint(
            ["staff_account_id"],
            ["login_account.id"],
            name=op.f("fk_waiver_staff_account_id_login_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiver")),
        sa.UniqueConstraint("charge_key", name=op.f("uq_waiver_charge_key")),
    )
    op.create_index(op.f("ix_waiver_created_at"), "waiver", ["created_at"], unique=False)
    op.create_index(op.f("ix_waiver_desk_id"), "waiver", ["desk_id"], unique=False)
    op.create_index(op.f("ix_waiver_patron_id"), "waiver", ["patron_id"], unique=False)
    _payment(METHODS + ("cash",), add=True)
    _ledger_entry(ENTRY_TYPES + ("waiver",))
    with warnings.catch_warnings():
        _copied()
        with op.batch_alter_table("refund", schema=None) as batch_op:
            _staff_columns(batch_op, "refund")
            batch_op.create_index(batch_op.f("ix_refund_created_at"), ["created_at"], unique=False)


def _staff_columns(batch_op, table):
    """<table>.desk_id and staff_account_id: the desk and the staff login that took or gave it."""
    batch_op.add_column(sa.Column("desk_id", sa.Integer(), nullable=True))
    batch_op.add_column(sa.Column("staff_account_id", sa.Integer(), nullable=True))
    batch_op.create_index(batch_op.f(f"ix_{table}_desk_id"), ["desk_id"], unique=False)
    batch_op.create_foreign_key(batch_op.f(f"fk_{table}_desk_id_desk"), "desk", ["desk_id"], ["id"])
    batch_op.create_foreign_key(
        batch_op.f(f"fk_{table}_staff_account_id_login_account"),
        "login_account",
        ["staff_account_id"],
        ["id"],
        ondelete="SET NULL",
    )


def _drop_staff_columns(batch_op, table):
    """Undo `_staff_columns`."""
    batch_op.drop_constraint(
        batch_op.f(f"fk_{table}_staff_account_id_login_account"), type_="foreignkey"
    )
    batch_op.drop_constraint(batch_op.f(f"fk_{table}_desk_id_desk"), type_="foreignkey")
    batch_op.drop_index(batch_op.f(f"ix_{table}_desk_id"))
    batch_op.drop_column("staff_account_id")
    batch_op.drop_column("desk_id")


def _copied():
    """On SQLite the table is copied: payment, refund and ledger_entry have no expression index
    to lose, only the tables their foreign keys name have (patron, subscription,
    login_account), which are reflected, not copied: that warning is moot."""
    warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)


def _payment(methods, add):
    """The method column's CHECK, and the columns saying at which desk and by whom."""
    with warnings.catch_warnings():
        _copied()
        with op.batch_alter_table("payment", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_payment_method"), type_="check")
            batch_op.create_check_constraint(
                op.f("ck_payment_method"), f"method IN ({_listed(methods)})"
            )
            if add:
                _staff_columns(batch_op, "payment")
                batch_op.create_index(batch_op.f("ix_payment_paid_at"), ["paid_at"], unique=False)
            else:
                batch_op.drop_index(batch_op.f("ix_payment_paid_at"))
                _drop_staff_columns(batch_op, "payment")


def _ledger_entry(entry_types):
    """The entry_type column's CHECK."""
    with warnings.catch_warnings():
        _copied()
        with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_ledger_entry_entry_type"), type_="check")
            batch_op.create_check_constraint(
                op.f("ck_ledger_entry_entry_type"), f"entry_type IN ({_listed(entry_types)})"
            )


def downgrade():
    with warnings.catch_warnings():
        _copied()
        with op.batch_alter_table("refund", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_refund_created_at"))
            _drop_staff_columns(batch_op, "refund")
    _ledger_entry(ENTRY_TYPES)
    _payment(METHODS, add=False)
    op.drop_table("waiver")
    op.drop_table("desk")
