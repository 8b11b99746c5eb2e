"""outbox mails know the patron and the login they were sent to (the desk's patron screen)

Mails queued before this revision stay without them: the patron screen lists mails from now on.

Revision ID: c71e5f09a3d2
Revises: fea1e9dd7ac2
Create Date: 2026-12-21 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c71e5f09a3d2"
down_revision = "fea1e9dd7ac2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_mail", sa.Column("patron_id", sa.Integer(), nullable=True))
    op.add_column("outbox_mail", sa.Column("account_id", sa.Integer(), nullable=True))
    op.create_index("ix_outbox_mail_patron_id", "outbox_mail", ["patron_id"])
    op.create_index("ix_outbox_mail_account_id", "outbox_mail", ["account_id"])


def downgrade():
    op.drop_index("ix_outbox_mail_account_id", table_name="outbox_mail")
    op.drop_index("ix_outbox_mail_patron_id", table_name="outbox_mail")
    op.drop_column("outbox_mail", "account_id")
    op.drop_column("outbox_mail", "patron_id")
