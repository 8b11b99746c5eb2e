"""The staff login's second factor, first password change and session limits."""

from portal.staff.views import bp

__all__ = ["bp"]
