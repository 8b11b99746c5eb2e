"""A new login e-mail address is text like any other: the service refuses what is not."""

import pytest
from sqlalchemy.orm import Session

from shared.accounts.email_change import request_email_change
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from tests.support.factories import create_account

MAIL = MailSettings("secret", "bibliotheek@example.nl", *[lambda token: token] * 5)


@pytest.mark.parametrize(
    ("email", "code"),
    [
        (" ", "text_required"),
        ("m\u202e@example.nl", "text_not_allowed"),
        ("m\x00@x.nl", "text_not_allowed"),
    ],
)
def test_a_new_address_that_is_no_text_is_refused(
    db_session: Session, clock: ManualClock, email: str, code: str
) -> None:
    account = create_account(db_session, clock.now(), confirmed=True)
    with pytest.raises(DomainError) as refused:
        request_email_change(db_session, account, email, MAIL, clock.now())
    assert refused.value.code == code and account.pending_email is None
