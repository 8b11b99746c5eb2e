"""oidc: each access token remembers the authorization code it came from

A code presented a second time revokes the tokens issued from it (RFC 6749 §4.1.2), also
after the code itself has expired and been forgotten: the token keeps the code's hash.

Revision ID: c4d81e2f6a07
Revises: a3c5e7f90b12
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d81e2f6a07"
down_revision = "a3c5e7f90b12"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("oidc_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_oidc_token_code_hash"), ["code_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("oidc_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_token_code_hash"))
        batch_op.drop_column("code_hash")
