"""The audit log for coordinators (/balie/audit)."""

from portal.staff.views import bp

__all__ = ["bp"]
