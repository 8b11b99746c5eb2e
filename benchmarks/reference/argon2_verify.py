"""The floor of a login: one argon2id verify of a hash made as the portal makes them."""

import time

from argon2 import PasswordHasher

_hasher = PasswordHasher()


def verify_seconds(password_hash: str, password: str) -> float:
    """Seconds one verify of the password against the hash takes (its parameters are in it)."""
    started = time.perf_counter()
    _hasher.verify(password_hash, password)
    return time.perf_counter() - started
