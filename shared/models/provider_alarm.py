"""The payment provider's refusal of our API key (401), raised once for every process: payments
stop until the key is fixed, and staff see since when."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class ProviderAlarm(Base):
    """Mollie refused the API key with this fingerprint; one row per refused key, gone once a
    call with it succeeds again."""

    __tablename__ = "provider_alarm"

    key_fingerprint: Mapped[str] = mapped_column(String(16), primary_key=True)
    raised_at: Mapped[datetime]
    last_tried_at: Mapped[datetime]
    detail: Mapped[str] = mapped_column(String(300))
