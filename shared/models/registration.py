"""An online signup in progress (*Word lid*), kept in the database so nothing typed is lost."""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, enum_column
from shared.models.account import LoginAccount
from shared.models.catalogue import SubscriptionType
from shared.models.patron import PaymentPlan


class RegistrationState(StrEnum):
    """Where a signup is: editable draft, completed (paid and activated), or purged."""

    DRAFT = "draft"
    COMPLETED = "completed"


def new_public_id() -> str:
    """An unguessable id that the patron's browser session holds."""
    return secrets.token_urlsafe(18)


class Registration(Base):
    """The patron's choices and details until the first payment makes them a patron."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    state: Mapped[RegistrationState] = mapped_column(
        enum_column(RegistrationState, "state", 12), default=RegistrationState.DRAFT
    )
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    subscription_code: Mapped[str] = mapped_column(ForeignKey("subscription_type.code"))
    login_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_account.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    branch_code: Mapped[str | None] = mapped_column(String(20))
    payment_plan: Mapped[PaymentPlan] = mapped_column(
        enum_column(PaymentPlan, "payment_plan", 20), default=PaymentPlan.ONCE
    )
    mollie_customer_id: Mapped[str | None] = mapped_column(String(40))
    patron_id: Mapped[int | None] = mapped_column(ForeignKey("patron.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    subscription_type: Mapped[SubscriptionType] = relationship()
    login_account: Mapped[LoginAccount | None] = relationship()


# The purge looks for drafts by age: most registrations are completed and are never read so.
Index("ix_registration_state_created", Registration.state, Registration.created_at)
