"""The *Word lid* blueprint: choose, account, details, review, pay."""

from portal.signup import views

__all__ = ["views"]
