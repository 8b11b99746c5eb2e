"""Erased patrons (*recht op vergetelheid*): which record was erased and when, nothing more."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class PatronErasure(Base):
    """That a patron record was erased: no foreign key (the record is gone) and no personal
    data. Its id and when it was made identify the record, also where a later record got the
    same id (SQLite gives a deleted highest id out again); so after a backup from before is
    restored, the records to erase again are the patrons with both the same."""

    __tablename__ = "patron_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int]
    patron_created_at: Mapped[datetime]
    erased_at: Mapped[datetime]
