"""How to pay: asked only where a subscription offers a choice, and never swapped silently."""

import pytest
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.catalogue import SubscriptionType
from shared.models.patron import PaymentPlan
from shared.signup.registration import choose_plan


def refusal(subscription: SubscriptionType, wanted: str | None) -> DomainError:
    """The refusal of this plan for this subscription."""
    with pytest.raises(DomainError) as refused:
        choose_plan(subscription, wanted, "nl")
    return refused.value


def test_one_way_to_pay_needs_no_choice_and_takes_no_other(db_session: Session) -> None:
    monthly = db_session.get_one(SubscriptionType, "0049")
    assert choose_plan(monthly, None, "nl") == PaymentPlan.DIRECT_DEBIT
    assert choose_plan(monthly, "direct_debit", "nl") == PaymentPlan.DIRECT_DEBIT
    refused = refusal(monthly, "once")
    assert (refused.code, refused.params) == (
        "payment_plan_not_offered",
        {"subscription": "Basis (maand-incasso)"},
    )
    assert refusal(db_session.get_one(SubscriptionType, "0053"), "direct_debit").code == (
        "payment_plan_not_offered"
    )


def test_two_ways_to_pay_need_a_choice(db_session: Session) -> None:
    basis = db_session.get_one(SubscriptionType, "0045")
    assert refusal(basis, None).code == "payment_plan_required"
    assert choose_plan(basis, "once", "en") == PaymentPlan.ONCE
    assert choose_plan(basis, "direct_debit", "en") == PaymentPlan.DIRECT_DEBIT
