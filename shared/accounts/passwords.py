"""Password hashing (argon2id) and the strength rule for new passwords."""

import hashlib
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3
LANES = 4


def _cost(name: str, default: int, least: int) -> int:
    """A whole number from the environment, at least `least`; the setting named if it is not."""
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) < least:
        raise ValueError(f"{name} must be a whole number of at least {least}, not {value!r}")
    return int(value)


# RFC 9106's second recommended choice (64 MiB, 3 passes, 4 lanes) unless the environment
# sets less, for a machine that cannot spare the memory (and for the test suite, which hashes
# thousands of passwords). Read once: hashes made at import must match the ones made later.
TIME_COST = _cost("PASSWORD_HASH_TIME_COST", 3, least=1)
MEMORY_KIB = _cost("PASSWORD_HASH_MEMORY_KIB", 65536, least=8 * LANES)  # argon2's least
_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=LANES)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_fingerprint(password_hash: str) -> str:
    """A short value that changes whenever the password does (every hash has its own salt), to
    end what was made with the old one: sessions, reset links. It reveals nothing of the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def password_score(password: str, personal: list[str]) -> int:
    """zxcvbn's 0-4 guessability score, counting the patron's own data as guessable."""
    return int(zxcvbn(password[:MAX_LENGTH], user_inputs=[p for p in personal if p])["score"])


def is_strong_enough(password: str, personal: list[str]) -> bool:
    """Whether a new password is long and hard enough to guess."""
    long_enough = MIN_LENGTH <= len(password) <= MAX_LENGTH
    return long_enough and password_score(password, personal) >= MIN_SCORE
