"""What the domain's mails need from the application: signing key, sender, and link builders."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MailSettings:
    """Signing key, sender, and builders of the links that mails carry (the web app's URLs)."""

    secret_key: str
    sender: str
    confirm_account_url: Callable[[str], str]
    confirm_library_email_url: Callable[[str], str]
    pay_instead_url: Callable[[str], str]
    reset_password_url: Callable[[str], str]
    confirm_new_email_url: Callable[[str], str]
    account_url: str = ""  # the patron's own pages (Mijn account)
