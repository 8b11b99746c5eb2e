"""collection_code: the welcome mail's short code for collecting a card at a kiosk

Revision ID: 7b3e5d9f1a28
Revises: 5d7e9a1c3b24
Create Date: 2026-12-11 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision = "7b3e5d9f1a28"
down_revision = "5d7e9a1c3b24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "collection_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_collection_code_patron_id_patron")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_collection_code_code_hash")),
    )
    with op.batch_alter_table("collection_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_code_patron_id"), ["patron_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("collection_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_code_patron_id"))
    op.drop_table("collection_code")
