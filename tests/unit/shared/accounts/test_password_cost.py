"""argon2id's parameters: RFC 9106's second recommended choice unless the environment sets
less (as the test suite does, for speed); a hash made one way is checked either way."""

import os
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from shared.accounts.passwords import hash_password, verify_password

PRINT_HASH = "from shared.accounts.passwords import hash_password; print(hash_password('x' * 12))"


def hashing(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A fresh process with these settings (and none of the suite's) printing a hash."""
    own = {k: v for k, v in os.environ.items() if not k.startswith("PASSWORD_HASH_")}
    return subprocess.run(
        [sys.executable, "-c", PRINT_HASH], env=own | environ, capture_output=True, text=True
    )


def hash_made_with(environ: dict[str, str]) -> str:
    """A hash made by a fresh process with these settings."""
    done = hashing(environ)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_without_settings_hashes_use_rfc_9106s_parameters() -> None:
    assert hash_made_with({}).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_settings_lower_the_cost_and_either_hash_is_checked() -> None:
    cheap = hash_made_with({"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "2"})
    assert cheap.startswith("$argon2id$v=19$m=1024,t=2,p=4$")
    assert verify_password(cheap, "x" * 12)
    strong = PasswordHasher().hash("y" * 12)  # made elsewhere with the defaults
    assert verify_password(strong, "y" * 12) and not verify_password(strong, "x" * 12)
    assert verify_password(hash_password("z" * 12), "z" * 12)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PASSWORD_HASH_MEMORY_KIB", "64k"),
        ("PASSWORD_HASH_MEMORY_KIB", "16"),
        ("PASSWORD_HASH_TIME_COST", "0"),
        ("PASSWORD_HASH_TIME_COST", "-1"),
    ],
)
def test_a_cost_that_is_no_whole_number_or_too_low_is_refused_by_name(
    name: str, value: str
) -> None:
    done = hashing({name: value})
    assert done.returncode != 0
    assert f"{name} must be a whole number of at least" in done.stderr
