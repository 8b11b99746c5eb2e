"""Library cards (*pas*): main (*hoofdpas*) or secondary (*volgpas*), with their chip."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column


class CardRole(StrEnum):
    """A patron logs in with the main card; a secondary card only borrows."""

    MAIN = "main"
    SECONDARY = "secondary"


class CardStatus(StrEnum):
    """Whether a card may be used; a pending card is a number reserved for a chip being encoded."""

    PENDING = "pending"
    ACTIVE = "active"
    BLOCKED = "blocked"
    REPLACED = "replaced"
    LOST = "lost"


class CardReason(StrEnum):
    """Why a card stopped working (blocked, or replaced by a new one)."""

    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    OTHER = "other"


ACTIVE_MAIN_INDEX = "uq_card_active_main"
ACTIVE_MAIN = "role = 'main' AND status = 'active'"


class Card(Base):
    """A card issued to a patron; a secondary card names the main card it goes with."""

    __tablename__ = "card"
    # A patron has one active main card at most: it is their login name and what the kiosk
    # knows them by.
    __table_args__ = (
        Index(
            ACTIVE_MAIN_INDEX,
            "patron_id",
            unique=True,
            sqlite_where=text(ACTIVE_MAIN),
            postgresql_where=text(ACTIVE_MAIN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    role: Mapped[CardRole] = mapped_column(enum_column(CardRole, "role", 10), default=CardRole.MAIN)
    status: Mapped[CardStatus] = mapped_column(
        enum_column(CardStatus, "status", 10), default=CardStatus.ACTIVE
    )
    chip_uid: Mapped[str | None] = mapped_column(String(32))
    issued_at: Mapped[datetime]
    # A CardReason, kept while the card is blocked or once it was replaced.
    status_reason: Mapped[str | None] = mapped_column(String(10))
    main_card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id"), index=True)
    # The main card this main card followed (replaced, or lost or blocked before it): deleting
    # this one as added by mistake puts that one back.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("card.id"), index=True)
    # When its number last identified its holder (a login, a kiosk tap): a card never used may
    # be deleted as added by mistake.
    last_used_at: Mapped[datetime | None]
    # Known to the session, so that deleting a patron's cards in one flush (erasure, merging)
    # deletes a secondary card before the main card it goes with, a card before the one it
    # replaces.
    main_card: Mapped["Card | None"] = relationship(remote_side=[id], foreign_keys=[main_card_id])
    replaces: Mapped["Card | None"] = relationship(remote_side=[id], foreign_keys=[replaces_id])


class CollectionCode(Base):
    """The short code of a welcome mail, typed at a kiosk to collect the first card: kept only
    as a keyed hash, good once, until it expires."""

    __tablename__ = "collection_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patron.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
