"""The staff's second factor: TOTP codes (RFC 6238) from an authenticator app, each once."""

import base64
import hashlib
import hmac
from datetime import datetime

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from shared.accounts.throttle import (
    count_failure,
    forget_failures,
    growing_wait,
    refuse_while_locked,
    second_factor_key,
    wide_wait,
)
from shared.db import rows_changed
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.staff import StaffMember

ISSUER = "OpenBalie"
# Codes of the step before and after are taken too: a phone's clock may be off by 30 seconds.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def enrolment_secret(key: str, account: LoginAccount, nonce: str) -> str:
    """The secret a member without one sets up, from the server's key, the login's password
    hash and a random value of the browser's session (see second_step)."""
    message = f"totp-enrol:{account.id}:{account.password_hash}:{nonce}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def otpauth_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    """The `otpauth://` URI an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def verify_code(session: Session, member: StaffMember, code: str, now: datetime) -> None:
    """Accept a current code once; a wrong, stale or replayed code is refused."""
    step = _matching_step(member.totp_secret or "", code.strip().replace(" ", ""), now)
    if step is None or not _claim_step(session, member, step):
        raise DomainError("second_factor_wrong")


def confirm_code(
    session: Session, member: StaffMember, code: str, now: datetime, client: str
) -> None:
    """Accept the member's code as `verify_code` does, wrong codes counted like wrong passwords:
    per address with growing waits, and from all addresses together."""
    waits = {
        second_factor_key(member.account_id, client): growing_wait,
        second_factor_key(member.account_id): wide_wait,
    }
    refuse_while_locked(session, list(waits), now)
    try:
        verify_code(session, member, code, now)
    except DomainError:
        for key, wait in waits.items():
            count_failure(session, key, now, wait)
        raise
    forget_failures(session, second_factor_key(member.account_id, client))


def enrol(
    session: Session, member: StaffMember, secret: str, code: str, now: datetime, client: str
) -> None:
    """Keep a new secret for a member without one, once a first code of it is accepted."""
    if member.totp_secret:
        raise DomainError("second_factor_enrolled")
    member.totp_secret = secret
    try:
        confirm_code(session, member, code, now, client)
    except DomainError:
        member.totp_secret = None
        session.flush()
        raise


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within the allowed drift; None if none matches."""
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.timestamp())  # a timestamp: pyotp reads a datetime as local time
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _claim_step(session: Session, member: StaffMember, step: int) -> bool:
    """Record the step as used, only if it is later than the last one used (no replay, also
    not by a second process at the same moment)."""
    claimed = rows_changed(
        session,
        update(StaffMember)
        .where(
            StaffMember.account_id == member.account_id,
            or_(StaffMember.totp_last_step.is_(None), StaffMember.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False),
    )
    session.refresh(member)
    return claimed == 1
