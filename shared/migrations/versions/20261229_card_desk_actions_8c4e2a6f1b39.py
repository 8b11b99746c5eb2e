"""card: why a card stopped working (status_reason), the main card a secondary card goes with
(main_card_id) and when its number last identified its holder (last_used_at)

Revision ID: 8c4e2a6f1b39
Revises: 9c4e2b7a5d18
Create Date: 2026-12-29 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "8c4e2a6f1b39"
down_revision = "9c4e2b7a5d18"
branch_labels = None
depends_on = None


def upgrade():
    # No batch copy: it would reflect patron, whose expression indexes it cannot. SQLite adds a
    # column with its foreign key only inline, in the ALTER TABLE itself.
    op.add_column("card", sa.Column("status_reason", sa.String(length=10), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE card ADD COLUMN main_card_id INTEGER"
            " CONSTRAINT fk_card_main_card_id_card REFERENCES card (id)"
        )
    else:
        op.add_column("card", sa.Column("main_card_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_card_main_card_id_card"), "card", "card", ["main_card_id"], ["id"]
        )
    op.add_column(
        "card", sa.Column("last_used_at", shared.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.create_index(op.f("ix_card_main_card_id"), "card", ["main_card_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_card_main_card_id"), table_name="card")
    op.drop_column("card", "last_used_at")
    op.drop_column("card", "main_card_id")
    op.drop_column("card", "status_reason")
