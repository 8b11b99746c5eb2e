"""patron: merged_into_id and merged_at, for a duplicate record merged into another (kept, never
deleted: its numbers find the record it was merged into)

Revision ID: 9c4e2b7a5d18
Revises: 9c4e2b7a1f58
Create Date: 2026-12-29 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "9c4e2b7a5d18"
down_revision = "9c4e2b7a1f58"
branch_labels = None
depends_on = None

FK = "fk_patron_merged_into_id_patron"
TO = "REFERENCES patron (id)"


def upgrade():
    # Plain ADD COLUMN, no batch copy: patron's expression indexes break on SQLite's reflection.
    # SQLite cannot add a constraint to a table, only a column with its REFERENCES inline.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE patron ADD COLUMN merged_into_id INTEGER CONSTRAINT {FK} {TO}")
    else:
        op.add_column("patron", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "patron", "patron", ["merged_into_id"], ["id"])
    op.add_column(
        "patron", sa.Column("merged_at", shared.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.create_index(op.f("ix_patron_merged_into_id"), "patron", ["merged_into_id"])


def downgrade():
    op.drop_index(op.f("ix_patron_merged_into_id"), table_name="patron")
    # SQLite drops the column with its inline REFERENCES; it has no constraint of its own.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "patron", type_="foreignkey")
    op.drop_column("patron", "merged_at")
    op.drop_column("patron", "merged_into_id")
