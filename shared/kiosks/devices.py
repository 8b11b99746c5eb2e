"""Kiosk devices: registration with a one-time shown API token, and authentication by it."""

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.catalogue import Branch
from shared.models.kiosk import KioskDevice
from shared.text import require_text

SEEN_EVERY = timedelta(minutes=1)
DEVICES = ("card_reader", "document_reader", "printer", "scanner")
DEVICE_STATES = frozenset({"ok", "paper_low", "paper_out", "offline", "unavailable", "unknown"})
SOFTWARE_LENGTH = 40  # what a heartbeat may say of the kiosk's software version
HEALTHY = frozenset({"ok", "unknown"})
HEARTBEAT_EVERY = timedelta(seconds=60)  # the kiosk's default KIOSK_HEARTBEAT_SECONDS
# Three missed heartbeats: one late or lost request does not make a kiosk look offline.
STALE_AFTER = 3 * HEARTBEAT_EVERY


class KioskStatus(StrEnum):
    """How a kiosk is doing, as the staff listing shows it."""

    OK = "ok"
    DEGRADED = "degraded"
    OFFLINE = "offline"
    NEVER = "never"
    REVOKED = "revoked"


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (a random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def register_device(
    session: Session, name: str, branch_code: str, terminal_id: str | None, now: datetime
) -> tuple[KioskDevice, str]:
    """A new kiosk in a branch, paying on `terminal_id`; returns it with its token (shown once)."""
    require_text("name", name, KioskDevice.name)
    branch = session.scalar(select(Branch).where(Branch.code == branch_code))
    if branch is None:
        raise DomainError("unknown_branch", branch=branch_code)
    if terminal_id is not None and not terminal_id.startswith("term_"):
        raise DomainError("invalid_terminal", terminal=terminal_id)
    token = secrets.token_urlsafe(32)
    device = KioskDevice(
        name=name,
        branch=branch,
        token_hash=token_hash(token),
        terminal_id=terminal_id,
        created_at=now,
    )
    session.add(device)
    session.flush()
    return device, token


def authenticate(session: Session, token: str, now: datetime) -> KioskDevice | None:
    """The registered, unrevoked device with this token, marked as seen (once a minute at most,
    so that status polling does not make every request a database write)."""
    device = session.scalar(
        select(KioskDevice).where(
            KioskDevice.token_hash == token_hash(token), KioskDevice.revoked_at.is_(None)
        )
    )
    if device is not None and (
        device.last_seen_at is None or device.last_seen_at < now - SEEN_EVERY
    ):
        device.last_seen_at = now
    return device


def revoke_device(session: Session, device_id: int, now: datetime) -> KioskDevice:
    """Refuse the device's token from now on."""
    device = session.get(KioskDevice, device_id)
    if device is None:
        raise DomainError("unknown_device", device=device_id)
    device.revoked_at = device.revoked_at or now
    session.flush()
    return device


def report_health(
    session: Session, device: KioskDevice, devices: dict[str, Any], software: str, now: datetime
) -> bool:
    """Store a kiosk's heartbeat: its devices' states and software version; True if degraded."""
    known = all(
        name in DEVICES and isinstance(state, str) and state in DEVICE_STATES
        for name, state in devices.items()
    )
    if not known:
        raise DomainError("invalid_health", allowed=", ".join(sorted(DEVICE_STATES)))
    if len(software) > SOFTWARE_LENGTH:
        raise DomainError("bad_request", field="software")
    device.health = {"devices": dict(devices), "software": software}
    device.health_reported_at = now
    session.flush()
    return is_degraded(device)


def is_degraded(device: KioskDevice) -> bool:
    """Whether a device of the kiosk reported a problem in its last heartbeat."""
    states = (device.health or {}).get("devices", {}).values()
    return any(state not in HEALTHY for state in states)


def kiosk_status(
    device: KioskDevice, now: datetime, stale_after: timedelta = STALE_AFTER
) -> KioskStatus:
    """Revoked, never reported, offline (no heartbeat, else no call, for `stale_after`),
    degraded or ok."""
    last_heard = device.health_reported_at or device.last_seen_at
    if device.revoked_at is not None:
        return KioskStatus.REVOKED
    if last_heard is None:
        return KioskStatus.NEVER
    if last_heard < now - stale_after:
        return KioskStatus.OFFLINE
    return KioskStatus.DEGRADED if is_degraded(device) else KioskStatus.OK


def list_devices(session: Session) -> list[KioskDevice]:
    """Every registered kiosk, by branch and name, revoked ones included."""
    query = select(KioskDevice).join(KioskDevice.branch)
    return list(session.scalars(query.order_by(Branch.code, KioskDevice.name, KioskDevice.id)))
