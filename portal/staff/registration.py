"""Registering a patron at the desk (/balie/klanten/nieuw), with the duplicate check."""

from portal.staff.views import bp

__all__ = ["bp"]
