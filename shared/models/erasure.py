"""Erased patrons (*recht op vergetelheid*): which record was erased and when, nothing more."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class PatronErasure(Base):
    """That the patron record with this id was erased: no foreign key (the record is gone) and
    no personal data. It lets the audit log's entries about the record lose their values (the
    database allows that only for an erased record), and says which records to erase again
    when a backup from before is restored."""

    __tablename__ = "patron_erasure"

    patron_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    erased_at: Mapped[datetime]
