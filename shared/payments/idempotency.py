"""The idempotency keys sent to Mollie: UUID v4 in form, as Mollie asks, derived from our own
stable key of the attempt (kept on its row) and the installation, so a retry sends the same one
and two installations on one Mollie account never share one."""

import hashlib
import uuid


def provider_key(installation: str, ours: str) -> str:
    """The UUID (version 4 in form, from a hash, not random) of our key at this installation."""
    digest = hashlib.sha256(f"{installation}\n{ours}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
