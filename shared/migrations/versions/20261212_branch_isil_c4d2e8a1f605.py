"""branch: the ISIL of the library within the organisation that the branch belongs to

One organisation has several ISIL codes, each for its own branch prefixes (seed 003). Until
now the organisation column held one ISIL for every branch; it is each branch's first ISIL
here, and loading the catalogue again sets the one its ISIL directory gives.

Revision ID: c4d2e8a1f605
Revises: 7b3e5d9f1a28
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d2e8a1f605"
down_revision = "7b3e5d9f1a28"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("isil", sa.String(length=16), nullable=True))
    op.execute("UPDATE branch SET isil = substr(organisation, 1, 16)")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.alter_column("isil", existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_column("isil")
