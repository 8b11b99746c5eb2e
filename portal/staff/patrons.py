"""The patron screen (/balie/klanten/<number>): everything about one patron."""

from portal.staff.views import bp

__all__ = ["bp"]
