"""the desk's search: patrons' folded names, the name vocabulary, birth date and postcode indexes

The names of the patrons there are are filed as every write files them from now on
(shared.patrons.name_keys), a batch at a time.

Revision ID: a2e2d6750436
Revises: a56c0903227a
Create Date: 2026-12-21 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from shared.patrons.name_keys import add_name_keys, key_rows

# revision identifiers, used by Alembic.
revision = "a2e2d6750436"
down_revision = "a56c0903227a"
branch_labels = None
depends_on = None

FIELDS = ("surname", "first_name")  # as when this revision was written
BATCH = 10_000


def upgrade():
    op.create_table(
        "patron_name_key",
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("surname_key", sa.String(length=80), nullable=False),
        sa.Column("first_name_key", sa.String(length=60), nullable=False),
        sa.Column("initials_key", sa.String(length=20), nullable=False),
        sa.Column("prefix_key", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patron.id"], name=op.f("fk_patron_name_key_patron_id_patron")
        ),
        sa.PrimaryKeyConstraint(
            "patron_id", "surname_key", "first_name_key", name=op.f("pk_patron_name_key")
        ),
    )
    op.create_table(
        "name_term",
        sa.Column("variant", sa.String(length=80), nullable=False),
        sa.Column("term", sa.String(length=80), nullable=False),
        sa.Column(
            "field",
            sa.Enum(*FIELDS, name="field", native_enum=False, create_constraint=True, length=10),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("variant", "term", "field", name=op.f("pk_name_term")),
    )
    _file_names()
    op.create_index(
        "ix_patron_name_key_surname",
        "patron_name_key",
        ["surname_key", "initials_key", "first_name_key", "patron_id"],
    )
    op.create_index(
        "ix_patron_name_key_first_name",
        "patron_name_key",
        ["first_name_key", "surname_key", "patron_id"],
    )
    op.create_index(
        "ix_patron_postcode_compact", "patron", [sa.text("upper(replace(postcode, ' ', ''))")]
    )


def _file_names():
    """The search keys of every patron there is, by id a batch at a time."""
    session = Session(bind=op.get_bind())
    patron = sa.table(
        "patron",
        *(sa.column(name) for name in ("id", "initials", "prefix", "surname", "first_name")),
    )
    after = 0
    while True:
        query = sa.select(patron).where(patron.c.id > after).order_by(patron.c.id).limit(BATCH)
        batch = session.execute(query).all()
        if not batch:
            return
        add_name_keys(session, [key for row in batch for key in key_rows(*row)])
        after = batch[-1].id


def downgrade():
    op.drop_index("ix_patron_postcode_compact", table_name="patron")
    op.drop_table("name_term")
    op.drop_table("patron_name_key")
