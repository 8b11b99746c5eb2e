"""A local emulation of Mollie's v2 API and hosted test checkout."""

from shared.mollie_sandbox.app import create_sandbox_app, sandbox_store

__all__ = ["create_sandbox_app", "sandbox_store"]
