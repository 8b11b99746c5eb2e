"""Patrons' names as the desk's search compares them (folded: no accents, case or punctuation,
the surname without its prefix), and the vocabulary of those names with their one-letter
deletions, so that a name typed with one typo finds the names it may mean through an index."""

from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class NameField(StrEnum):
    """Which part of a name a term of the vocabulary was seen in."""

    SURNAME = "surname"
    FIRST_NAME = "first_name"


class PatronNameKey(Base):
    """One surname part and one first-name word of a patron (a double surname or a second
    first name has a row more), with the patron's other name parts folded alike."""

    __tablename__ = "patron_name_key"
    # Surname first, in the order the desk lists them (initials, first name); and first name
    # with surname, for a first name alone or both typed.
    __table_args__ = (
        Index(
            "ix_patron_name_key_surname",
            "surname_key",
            "initials_key",
            "first_name_key",
            "patron_id",
        ),
        Index("ix_patron_name_key_first_name", "first_name_key", "surname_key", "patron_id"),
    )

    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), primary_key=True)
    surname_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    first_name_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    initials_key: Mapped[str] = mapped_column(String(20))
    # The prefix and every prefix word in the surname: "van den" + "Bosch-van der Veen".
    prefix_key: Mapped[str] = mapped_column(String(120))


class NameTerm(Base):
    """A folded name part (`term`) under each of its variants: itself and every string one
    letter shorter. Two terms at most one edit apart share a variant."""

    __tablename__ = "name_term"

    variant: Mapped[str] = mapped_column(String(80), primary_key=True)
    term: Mapped[str] = mapped_column(String(80), primary_key=True)
    field: Mapped[NameField] = mapped_column(enum_column(NameField, "field", 10), primary_key=True)
