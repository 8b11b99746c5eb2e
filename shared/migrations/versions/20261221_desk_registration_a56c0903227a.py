"""desk registration: ID checks made at the desk, and the duplicate check's indexes on patron

The desk records that it checked a patron's ID document (who and when, never the document's
data). Before registering a patron it looks for likely duplicates by birth date and by postcode
with house number: without these indexes each look-up read the whole patron table.

Revision ID: a56c0903227a
Revises: c71e5f09a3d2
Create Date: 2026-12-21 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "a56c0903227a"
down_revision = "c71e5f09a3d2"
branch_labels = None
depends_on = None


# Plain CREATE INDEX, not batch mode: a batch copy of patron would lose the expression index
# ix_patron_library_email_lower.
def upgrade():
    op.create_table(
        "desk_id_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_account_id", sa.Integer(), nullable=True),
        sa.Column("staff_username", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_desk_id_check_patron_id_patron")
        ),
        sa.ForeignKeyConstraint(
            ["staff_account_id"],
            ["login_account.id"],
            name=op.f("fk_desk_id_check_staff_account_id_login_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_id_check")),
    )
    op.create_index(
        op.f("ix_desk_id_check_patron_id"), "desk_id_check", ["patron_id"], unique=False
    )
    op.create_index(op.f("ix_patron_birth_date"), "patron", ["birth_date"], unique=False)
    op.create_index(
        "ix_patron_postcode_house_number", "patron", ["postcode", "house_number"], unique=False
    )


def downgrade():
    op.drop_index("ix_patron_postcode_house_number", table_name="patron")
    op.drop_index(op.f("ix_patron_birth_date"), table_name="patron")
    op.drop_index(op.f("ix_desk_id_check_patron_id"), table_name="desk_id_check")
    op.drop_table("desk_id_check")
