"""Finding patrons (/balie/klanten?q=...)."""

from portal.staff.views import bp

__all__ = ["bp"]
