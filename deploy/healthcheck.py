"""The image's health check: exit 0 when the portal in this container answers /healthz with 200.

A file of its own, not a module of the portal package: Docker runs it every 30 seconds, and the
standard library answers in milliseconds where importing the portal takes a second.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4


def healthy(port: str) -> bool:
    """True when GET /healthz on this host's `port` answers 200."""
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/healthz", timeout=TIMEOUT_SECONDS
        ) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(0 if healthy(os.environ.get("PORTAL_PORT", "5000")) else 1)
