"""The floors the portal is measured against: a bare page, one argon2id verify, a minimal
OpenID Connect provider."""
