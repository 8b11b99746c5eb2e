"""Single sign-on: the OpenID Connect provider (Authlib) and its pages."""

from portal.oidc import views

__all__ = ["views"]
