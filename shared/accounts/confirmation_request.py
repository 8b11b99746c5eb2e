"""Asking for a new link to confirm the login account, from the login page: for a paying patron
whose link expired (the account is kept, unconfirmed, until the new link is used)."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared.accounts.confirmation import queue_account_confirmation
from shared.accounts.login import find_accounts
from shared.accounts.password_reset import same_work_if_none_new
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.patrons.lookup import linked_patrons
from shared.timeutil import quarter_hour


def request_confirmation(session: Session, login: str, mail: MailSettings, now: datetime) -> None:
    """Mail a new confirmation link to each unconfirmed login with this name that has an address
    and a membership and is not blocked (at most one mail per login per quarter of an hour);
    silently nothing otherwise, in the same time (as forgetting a password), so the answer is
    the same for every login."""
    try:
        found = [f.account for f in find_accounts(session, login)]
    except DomainError:
        found = []
    queued = []
    for account in found:
        patrons = linked_patrons(session, account)
        if account.confirmed_at is None and account.email and account.is_active and patrons:
            key = f"confirm_account:account:{account.id}:{quarter_hour(now)}"
            queued.append(queue_account_confirmation(session, account, patrons[0], mail, now, key))
    same_work_if_none_new(session, queued, mail, now)
