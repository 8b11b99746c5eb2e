"""The test suite. Imported before any of its modules: passwords are hashed with argon2's
cheapest parameters here (the suite hashes and checks thousands; each takes 0.2 s with the
production parameters). Servers the tests start inherit this. The production parameters are
checked in tests/unit/shared/accounts/test_password_cost.py, in a process of their own."""

import os

os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "64")
