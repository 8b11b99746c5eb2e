"""Single sign-on: OpenID Connect provider domain (clients, keys, codes, tokens, claims)."""
