"""status columns: each holds only its enum's values, checked by the database

Subscriptions paid once were recorded as `ideal` (online) or `demo` (demo data): both are now
the plan `once`, as registrations already say.

Revision ID: a3c5e7f90b12
Revises: e923f1a28976
Create Date: 2026-12-04 16:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c5e7f90b12"
down_revision = "e923f1a28976"
branch_labels = None
depends_on = None

# The values as they were when this revision was written (a migration never reads the models).
CHECKED = {
    "login_account": {
        "status": ("active", "blocked"),
        "role": ("patron", "staff"),
    },
    "card": {
        "role": ("main", "secondary"),
        "status": ("pending", "active", "blocked", "replaced", "lost"),
    },
    "id_check": {
        "outcome": ("verified", "mismatch", "unreadable", "integrity"),
        "reason": (
            "access_denied",
            "document_removed",
            "chip_not_answering",
            "security_object",
            "reader_unavailable",
            "timeout",
            "other",
        ),
    },
    "ledger_entry": {"entry_type": ("charge", "payment", "refund")},
    "outbox_mail": {"status": ("pending", "sending", "sent", "failed")},
    "mandate": {"status": ("pending", "valid", "invalid", "revoked")},
    "patron": {
        "gender": ("man", "vrouw", "neutraal", "onbekend", "instelling"),
        "customer_type": ("regular", "guest"),
        "status": ("active",),
    },
    "subscription": {
        "status": ("normal", "invoiced", "invalid", "cancelled", "blacklisted"),
        "paid_by": ("once", "direct_debit"),
    },
    "subscription_type": {"validity": ("end_of_month", "exact", "until_age", "fixed")},
    "payment": {
        "method": ("ideal", "directdebit", "pointofsale"),
        "status": (
            "created",
            "open",
            "pending",
            "authorized",
            "paid",
            "canceled",
            "expired",
            "failed",
        ),
        "purpose": ("registration", "period", "balance"),
        "sequence_type": ("oneoff", "first", "recurring"),
    },
    "refund": {
        "status": (
            "requested",
            "queued",
            "pending",
            "processing",
            "refunded",
            "failed",
            "canceled",
        ),
    },
    "registration": {
        "state": ("draft", "completed"),
        "payment_plan": ("once", "direct_debit"),
    },
}


def _condition(column: str, values: tuple[str, ...]) -> str:
    """The CHECK condition: the column holds one of the values (NULL passes, as for any CHECK)."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def upgrade():
    op.execute("UPDATE subscription SET paid_by = 'once' WHERE paid_by IN ('ideal', 'demo')")
    for table, columns in CHECKED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(
                    op.f(f"ck_{table}_{column}"), _condition(column, values)
                )


def downgrade():
    for table, columns in CHECKED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
    op.execute("UPDATE subscription SET paid_by = 'ideal' WHERE paid_by = 'once'")
