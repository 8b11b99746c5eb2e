"""Signed, expiring tokens for links in mails, the kiosk QR code and kiosk tickets."""

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_ACCOUNT = "confirm-account"
CONFIRM_LIBRARY_EMAIL = "confirm-library-email"
CARD_COLLECTION = "card-collection"
PAY_INSTEAD = "pay-instead"
PASSWORD_RESET = "password-reset"
CONFIRM_NEW_EMAIL = "confirm-new-email"
KIOSK_TICKET = "kiosk-ticket"
DAY = 24 * 3600
MAX_AGES = {
    CONFIRM_ACCOUNT: DAY,
    CONFIRM_LIBRARY_EMAIL: DAY,
    CARD_COLLECTION: 90 * DAY,
    PAY_INSTEAD: 60 * DAY,
    PASSWORD_RESET: DAY,
    CONFIRM_NEW_EMAIL: DAY,
    KIOSK_TICKET: 15 * 60,
}


class TokenError(ValueError):
    """A token that is forged, for another purpose, or expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make_token(secret_key: str, purpose: str, payload: dict[str, Any]) -> str:
    """A URL-safe token for one purpose, signed with the application secret."""
    return URLSafeTimedSerializer(secret_key, salt=purpose).dumps(payload)


def read_token(secret_key: str, purpose: str, token: str) -> dict[str, Any]:
    """The payload of a valid token for this purpose; TokenError otherwise."""
    serializer = URLSafeTimedSerializer(secret_key, salt=purpose)
    try:
        return serializer.loads(token, max_age=MAX_AGES[purpose])
    except SignatureExpired as error:
        raise TokenError(expired=True) from error
    except BadSignature as error:
        raise TokenError(expired=False) from error
