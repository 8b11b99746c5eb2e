"""patron.pending_library_email: a new library e-mail entered at the desk, waiting for the
patron to confirm it

Revision ID: 9c4e2b7a1f58
Revises: 9c4e1a7b3d52
Create Date: 2026-12-29 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c4e2b7a1f58"
down_revision = "9c4e1a7b3d52"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("patron", sa.Column("pending_library_email", sa.String(length=254)))


def downgrade():
    op.drop_column("patron", "pending_library_email")
