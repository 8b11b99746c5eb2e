"""Logging in through the portal's form, by e-mail: on the large database against the small
one, and against the argon2id verify it cannot do without."""

import itertools

from benchmarks.harness.databases import PASSWORD
from benchmarks.harness.members import Member
from benchmarks.harness.rows import EMAIL_LOGIN, LOGIN_VS_ARGON2, ratio
from benchmarks.harness.sampling import Side, interleaved
from benchmarks.harness.servers import Server
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from benchmarks.harness.web import new_browser, seconds_to_log_in
from benchmarks.reference.argon2_verify import verify_seconds
from shared.accounts.passwords import hash_password


def login_figures(
    small: tuple[Server, list[Member]], large: tuple[Server, list[Member]], scale: Scale
) -> list[Figure]:
    """The full POST /inloggen, large against small, and large against one verify."""
    budget = scale.budget(least=20, most=300, seconds=20)
    on_large = _logins(*large)
    by_size = interleaved(_logins(*small), on_large, budget)
    password_hash = hash_password(PASSWORD)  # the parameters the portal hashes with
    against_verify = interleaved(lambda: verify_seconds(password_hash, PASSWORD), on_large, budget)
    return [ratio(EMAIL_LOGIN, by_size), ratio(LOGIN_VS_ARGON2, against_verify)]


def _logins(server: Server, members: list[Member]) -> Side:
    """Seconds the next member's login by e-mail takes, as a new visitor."""
    turns = itertools.cycle(members)

    def side() -> float:
        with new_browser() as browser:
            return seconds_to_log_in(browser, server.url, next(turns).email, PASSWORD)

    return side
