"""The ISIL directory (*landelijk lenen*, seed 003): which library (ISIL, ISO 15511) issued a card,
known by the card number's branch prefix. Catalogue data, loaded from a file per library."""

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class IsilLibrary(Base):
    """A library in the directory: its ISIL, the organisation it belongs to, and the date the
    directory last updated its prefixes."""

    __tablename__ = "isil_library"

    isil: Mapped[str] = mapped_column(String(16), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(120))
    updated_on: Mapped[date | None] = mapped_column(Date)


class IsilPrefix(Base):
    """A branch prefix of card numbers the library issues; a prefix several libraries use has a
    row for each (the patron or staff choose among them)."""

    __tablename__ = "isil_prefix"
    __table_args__ = (UniqueConstraint("prefix", "isil", name="uq_isil_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), index=True)
    isil: Mapped[str] = mapped_column(ForeignKey("isil_library.isil", ondelete="CASCADE"))
