"""card: the main card a main card followed (replaces_id), and one active main card per patron
(a partial unique index)

Revision ID: 6b3d9e1f4a27
Revises: 9c4e2a7b1d58
Create Date: 2026-12-30 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6b3d9e1f4a27"
down_revision = "9c4e2a7b1d58"
branch_labels = None
depends_on = None

ACTIVE_MAIN = sa.text("role = 'main' AND status = 'active'")


def upgrade():
    # No batch copy: it would reflect patron, whose expression indexes it cannot. SQLite adds a
    # column with its foreign key only inline, in the ALTER TABLE itself.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE card ADD COLUMN replaces_id INTEGER"
            " CONSTRAINT fk_card_replaces_id_card REFERENCES card (id)"
        )
    else:
        op.add_column("card", sa.Column("replaces_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_card_replaces_id_card"), "card", "card", ["replaces_id"], ["id"]
        )
    op.create_index(op.f("ix_card_replaces_id"), "card", ["replaces_id"], unique=False)
    # A desk replacement after a merge could leave two active main cards before this revision:
    # each patron keeps the newest, the others are replaced, so the index below can hold.
    op.execute(
        "UPDATE card SET status = 'replaced' WHERE role = 'main' AND status = 'active'"
        " AND id NOT IN (SELECT max(id) FROM card WHERE role = 'main' AND status = 'active'"
        " GROUP BY patron_id)"
    )
    op.create_index(
        "uq_card_active_main",
        "card",
        ["patron_id"],
        unique=True,
        sqlite_where=ACTIVE_MAIN,
        postgresql_where=ACTIVE_MAIN,
    )


def downgrade():
    op.drop_index("uq_card_active_main", table_name="card")
    op.drop_index(op.f("ix_card_replaces_id"), table_name="card")
    op.drop_column("card", "replaces_id")
