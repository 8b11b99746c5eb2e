"""Token exchanges against their floor: codes exchanged at the portal's token endpoint by CLIENTS
clients at once, against the same at a minimal Authlib provider (the codes fetched first)."""

import math
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks.harness.databases import PASSWORD
from benchmarks.harness.members import Member
from benchmarks.harness.rows import TOKEN_EXCHANGE, throughput
from benchmarks.harness.sampling import Side, interleaved
from benchmarks.harness.servers import Server, running_reference_provider
from benchmarks.harness.settings import CLIENTS, Scale
from benchmarks.harness.table import Figure
from benchmarks.harness.web import (
    TIMEOUT,
    Connection,
    jobs_per_second,
    new_browser,
    on_every_client,
    seconds_to_log_in,
)
from benchmarks.reference import oidc_provider
from shared.clock import SYSTEM_CLOCK
from shared.oidc.clients import register_client

CODES_PER_ROUND = 400


@dataclass(frozen=True)
class Provider:
    """Where to get codes and exchange them, as which client, and the browsers that ask (one
    per client, logged in where the provider wants that)."""

    url: str
    authorize_path: str
    token_path: str
    client: tuple[str, str]
    browsers: list[requests.Session]

    def codes(self, count: int) -> list[str]:
        """About `count` fresh codes (a whole number per browser), fetched by all browsers."""
        each = math.ceil(count / CLIENTS)
        batches = on_every_client(lambda i: [self._code(self.browsers[i]) for _ in range(each)])
        return [code for batch in batches for code in batch]

    def _code(self, browser: requests.Session) -> str:
        """One code, from the redirect back to the service."""
        query = {
            "response_type": "code",
            "client_id": self.client[0],
            "redirect_uri": oidc_provider.REDIRECT_URI,
            "scope": oidc_provider.SCOPE,
            "state": "benchmark",
            "nonce": secrets.token_urlsafe(12),
        }
        url = f"{self.url}{self.authorize_path}?{urlencode(query)}"
        answer = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        found = parse_qs(urlsplit(answer.headers.get("Location", "")).query).get("code")
        if answer.status_code != 302 or not found:
            raise RuntimeError(f"no code from {url}: {answer.status_code}")
        return found[0]

    def exchange(self, code: str) -> Callable[[Connection], object]:
        """A job: exchange the code for tokens (client_secret_post)."""
        client_id, client_secret = self.client
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": oidc_provider.REDIRECT_URI,
            "client_id": client_id,
            "client_secret": client_secret,
        }

        def job(connection: Connection) -> None:
            status, body = connection.request("POST", self.token_path, form)
            if status != 200 or b"id_token" not in body:
                raise RuntimeError(f"token exchange at {self.url}: {status} {body[:200]!r}")

        return job


def token_figure(portal: tuple[Server, Engine, list[Member]], folder: Path, scale: Scale) -> Figure:
    """Exchanges per second at the portal over those at the reference, rounds in turns."""
    with running_reference_provider(folder) as server, ExitStack() as stack:
        browsers = [stack.enter_context(new_browser()) for _ in range(2 * CLIENTS)]
        ours = _portal_provider(*portal, browsers[:CLIENTS])
        reference = Provider(
            server.url,
            "/oauth/authorize",
            "/oauth/token",
            (oidc_provider.CLIENT_ID, oidc_provider.CLIENT_SECRET),
            browsers[CLIENTS:],
        )
        count = max(CLIENTS, round(CODES_PER_ROUND * scale.effort))
        rates = interleaved(
            _rate(reference, count), _rate(ours, count), scale.budget(least=3, most=7, seconds=60)
        )
    return throughput(TOKEN_EXCHANGE, rates)


def _portal_provider(
    server: Server, engine: Engine, members: list[Member], browsers: list[requests.Session]
) -> Provider:
    """The portal with a first-party client registered, and a member logged in on each browser."""
    with Session(engine) as session:
        client, secret = register_client(
            session,
            "Benchmark",
            [oidc_provider.REDIRECT_URI],
            [],
            first_party=True,
            now=SYSTEM_CLOCK.now(),
        )
        session.commit()
        credentials = (client.client_id, secret or "")
    for browser, member in zip(browsers, members[: len(browsers)], strict=True):
        seconds_to_log_in(browser, server.url, member.email, PASSWORD)
    return Provider(server.url, "/oidc/authorize", "/oidc/token", credentials, browsers)


def _rate(provider: Provider, count: int) -> Side:
    """Exchanges per second of one round of `count` fresh codes."""

    def side() -> float:
        jobs = [provider.exchange(code) for code in provider.codes(count)]
        return jobs_per_second(provider.url, jobs)

    return side
