"""Kiosk devices registered with the portal, each with its own API token (stored hashed)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base
from shared.models.catalogue import Branch


class KioskDevice(Base):
    """A self-service kiosk in a branch, with the PIN terminal it pays on."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    health_reported_at: Mapped[datetime | None]

    branch: Mapped[Branch] = relationship()
