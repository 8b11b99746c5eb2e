"""Two portal processes on one PostgreSQL, counting rate limits on one redis-server, behind a
round-robin proxy: what is sent to both at once happens once, and a limit is counted once.

The processes run `python -m portal` in the embedded mode with production's shared parts
(PostgreSQL, Redis, a fixed SECRET_KEY, one OIDC_KEY_DIR): production refuses the Mollie
sandbox, and without it no payment could be made."""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import requests
from flask import Flask
from flask_migrate import upgrade
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from werkzeug.test import Client

from portal import create_app
from portal.config import ENV_SETTINGS
from portal.extensions import db
from shared.catalogue.loader import load_catalogue
from shared.models.account import LoginAccount
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.oidc import OidcConsent
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentStatus
from shared.payments import ledger
from tests.conftest import TEST_SECRET, portal_config
from tests.support.accounts import PASSWORD, log_in, member
from tests.support.kiosk_api import register_kiosk
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.oidc import add_service, authorize_url, exchange
from tests.support.portals import TIMEOUT, RoundRobin, at_once, running_portal
from tests.support.postgres import postgres_server
from tests.support.programs import HOST, Program
from tests.support.redis import redis_server
from tests.support.servers import free_port, running_server
from tests.support.signup import account_data, checkout, choose, csrf_token, walk_to_review

LOGIN_LIMIT = 8
TERMINAL = "term_sandboxKiosk1"
KIOSK_API = "/api/kiosk/v1"


@dataclass
class Portals:
    """The portal processes, each on its own address, and the proxy the patrons use."""

    urls: list[str]
    programs: list[Program]
    proxy: RoundRobin
    app: Flask  # the test's own portal on the same database: CLI commands and queries
    settings: dict[str, str]  # the environment the processes were started with

    def browser(self) -> Client:
        """A patron's browser behind the proxy: its requests go to each process in turn."""
        return Client(self.proxy)

    def to_each(self, method: str, path: str, **options: object) -> list[requests.Response]:
        """The same request sent to every process at the same moment."""
        send = partial(requests.request, allow_redirects=False, timeout=TIMEOUT, **options)
        return at_once(*(partial(send, method, url + path) for url in self.urls))

    def logged(self, pattern: str) -> list[str]:
        """The lines of every process's log that match `pattern`."""
        lines = [line for p in self.programs for line in p.output().splitlines()]
        return [line for line in lines if re.search(pattern, line)]

    def forget_limits(self) -> None:
        """Start the rate limits from zero (the store holds every test's counts)."""
        redis.Redis.from_url(self.settings["RATELIMIT_STORAGE_URI"]).flushdb()


@pytest.fixture(scope="module")
def portals(
    tmp_path_factory: pytest.TempPathFactory, mollie_sandbox_server: MollieSandbox
) -> Iterator[Portals]:
    """Two portal processes on a migrated PostgreSQL database and one redis-server."""
    tmp = tmp_path_factory.mktemp("portals")
    proxy_port = free_port(HOST)
    public_url = f"http://{HOST}:{proxy_port}"
    with redis_server() as redis_url, postgres_server() as database_url:
        app = _migrated_app(tmp, database_url, mollie_sandbox_server.url, public_url)
        settings = {
            **{name: "" for name in ENV_SETTINGS},  # nothing of the caller's environment
            "OPENBALIE_ENV": "embedded",
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
            "PUBLIC_URL": public_url,
            "MOLLIE_API_KEY": mollie_sandbox_server.api_key,
            "MOLLIE_API_ENDPOINT": mollie_sandbox_server.url,
            "MAIL_DIR": str(tmp / "mail"),
            "OIDC_KEY_DIR": app.config["OIDC_KEY_DIR"],
        }
        with (
            running_portal(settings, tmp / "first.log") as (first_url, first),
            running_portal(settings, tmp / "second.log") as (second_url, second),
        ):
            proxy = RoundRobin([first_url, second_url])
            with running_server(proxy, port=proxy_port), app.app_context():
                yield Portals([first_url, second_url], [first, second], proxy, app, settings)
                db.session.remove()
                db.engine.dispose()


def _migrated_app(tmp: Path, database_url: str, sandbox_url: str, public_url: str) -> Flask:
    """The test's portal on the PostgreSQL database, migrated and with the catalogue loaded."""
    config = portal_config(tmp, sandbox_url, public_url)
    config |= {"DATABASE_URL": database_url, "OIDC_KEY_DIR": str(tmp / "oidc-keys")}
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_catalogue(db.session)
        db.session.commit()
    return app


def session_cookie(browser: Client) -> dict[str, str]:
    """The browser's session cookie, to send along from elsewhere."""
    cookie = browser.get_cookie("session")
    assert cookie is not None
    return {"session": cookie.value}


def test_one_signup_paid_and_reported_to_both_processes_makes_one_patron(
    portals: Portals, mollie_sandbox_server: MollieSandbox
) -> None:
    browser = portals.browser()
    walk_to_review(browser, account=account_data(username="dubbel", email="dubbel@example.nl"))
    token = csrf_token(browser.get("/word-lid/controle"))
    paying = portals.to_each(
        "POST", "/word-lid/betalen", data={"csrf_token": token}, cookies=session_cookie(browser)
    )
    assert [answer.status_code for answer in paying] == [303, 303]
    assert paying[0].headers["Location"] == paying[1].headers["Location"]
    return_path = checkout(paying[0].headers["Location"], "paid")  # the sandbox reports it too

    payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
    hook = f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    reported = [
        *portals.to_each("POST", hook, data={"id": payment.provider_id}),
        *portals.to_each("POST", hook, data={"id": payment.provider_id}),
        *portals.to_each("GET", return_path, cookies=session_cookie(browser)),
    ]
    assert {answer.status_code for answer in reported} == {200}

    db.session.expire_all()
    account = db.session.scalars(select(LoginAccount).filter_by(username_key="dubbel")).one()
    patron = db.session.scalars(select(Patron).filter_by(login_account_id=account.id)).one()
    assert _count(Payment, registration_id=payment.registration_id) == 1
    assert db.session.get_one(Payment, payment.id).status == PaymentStatus.PAID
    assert len(portals.logged(rf"payment {payment.reference}: \w+ -> paid")) == 1
    entries = db.session.scalars(select(LedgerEntry).filter_by(patron_id=patron.id))
    assert Counter(entry.entry_type for entry in entries) == {
        EntryType.CHARGE: 1,
        EntryType.PAYMENT: 1,
    }
    assert _mails_to(account.email) == {"welcome": 1, "confirm_account": 1}


def test_one_username_claimed_at_both_processes_at_once_makes_one_account(
    portals: Portals,
) -> None:
    forms = []
    for browser in (portals.browser(), portals.browser()):
        choose(browser)
        forms.append((session_cookie(browser), csrf_token(browser.get("/word-lid/account"))))
    account = account_data(username="Tegelijk", email="tegelijk@example.nl")
    answers = at_once(
        *(
            partial(
                requests.post,
                f"{url}/word-lid/account",
                data={**account, "csrf_token": token},
                cookies=cookies,
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            for url, (cookies, token) in zip(portals.urls, forms, strict=True)
        )
    )
    refused, accepted = sorted(answers, key=lambda answer: answer.status_code)
    assert (refused.status_code, accepted.status_code) == (200, 303)
    assert "Deze gebruikersnaam is al in gebruik" in refused.text
    assert _count(LoginAccount, username_key="tegelijk") == 1


def test_kiosk_payments_split_over_both_processes_settle_once(
    portals: Portals, mollie_sandbox_server: MollieSandbox
) -> None:
    patron = member(portals.browser(), username="kioskbetaler", email="kiosk@example.nl")
    charge = ["ledger", "charge", patron.customer_number, "12.50", "Te laat", "--key", "fee-kiosk"]
    assert portals.app.test_cli_runner().invoke(args=charge).exit_code == 0
    token = register_kiosk(portals.app, "Kiosk hal", "--terminal", TERMINAL)
    headers = {"Authorization": f"Bearer {token}"}

    def pay(amount: str, key: str) -> str:
        """Ask both processes at once for the same terminal payment; its reference."""
        created = portals.to_each(
            "POST",
            f"{KIOSK_API}/payments",
            json={"patron": patron.customer_number, "amount": amount},
            headers={**headers, "Idempotency-Key": key},
        )
        references = {a.json()["reference"] for a in created if a.status_code == 201}
        assert len(references) == 1 and {a.status_code for a in created} <= {201, 503}
        return references.pop()

    for amount, key in (("5.00", "kiosk-split-1"), ("7.50", "kiosk-split-2")):
        reference = pay(amount, key)
        payment = db.session.scalars(select(Payment).filter_by(reference=reference)).one()
        mollie_sandbox_server.set_status(payment.provider_id, "paid", webhook=False)
        hook = f"/betalingen/webhook/{reference}/{payment.webhook_secret}"
        polled = [
            *portals.to_each("GET", f"{KIOSK_API}/payments/{reference}", headers=headers),
            *portals.to_each("POST", hook, data={"id": payment.provider_id}),
        ]
        assert {answer.status_code for answer in polled} == {200}
        assert len(portals.logged(rf"payment {reference}: \w+ -> paid")) == 1
        receipt = f"{KIOSK_API}/payments/{reference}/receipt-mail"
        mailed = portals.to_each("POST", receipt, json={"locale": "en"}, headers=headers)
        assert [answer.status_code for answer in mailed] == [202, 202]

    db.session.expire_all()
    assert _count(Payment, patron_id=patron.id, terminal_id=TERMINAL) == 2
    paid = _count(LedgerEntry, patron_id=patron.id, entry_type=EntryType.PAYMENT)
    assert paid == 3  # the signup's, and one per terminal payment
    assert ledger.balance(db.session, patron.id) == 0
    assert _mails_to("kiosk@example.nl")["payment_receipt"] == 2  # one per payment


def test_a_login_limit_is_counted_once_over_both_processes(portals: Portals) -> None:
    portals.forget_limits()
    attempt = login_form(portals)
    answers = [
        attempt(url, "niemand", "fout") for _ in range(LOGIN_LIMIT // 2) for url in portals.urls
    ]
    assert [answer.status_code for answer in answers] == [200] * LOGIN_LIMIT
    over = [attempt(url, "niemand", "fout") for url in portals.urls]
    assert [answer.status_code for answer in over] == [429, 429]


def test_an_account_locked_on_one_process_is_locked_on_the_other(portals: Portals) -> None:
    number = member(
        portals.browser(), username="geraden", email="geraden@example.nl"
    ).customer_number
    portals.forget_limits()
    attempt = login_form(portals)
    for url in [*portals.urls, *portals.urls, portals.urls[0]]:  # five failures, 3 + 2
        assert attempt(url, number, "verkeerd-wachtwoord").status_code == 200
    refused = attempt(portals.urls[1], number, PASSWORD)
    assert refused.status_code == 200 and "Te veel pogingen met deze inlog" in refused.text


def test_logins_go_on_counted_per_process_while_redis_is_down(
    portals: Portals, tmp_path: Path
) -> None:
    nothing_there = f"redis://{HOST}:{free_port(HOST)}/0"
    limits = {"RATELIMIT_STORAGE_URI": nothing_there, "LOGIN_RATE_LIMIT": "2 per minute"}
    attempt = login_form(portals)
    with running_portal({**portals.settings, **limits}, tmp_path / "log") as (url, program):
        answers = [attempt(url, "niemand", "fout").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert "falling back to in-memory storage" in program.output()


def test_single_sign_on_holds_across_both_processes(portals: Portals) -> None:
    patron = member(portals.browser(), username="eenmaal", email="eenmaal@example.nl")
    service = add_service(portals.app)
    browser = portals.browser()
    portals.forget_limits()
    assert log_in(browser, patron.customer_number).status_code == 303
    consent = authorize_url(service["client_id"])
    form = {"csrf_token": csrf_token(browser.get(consent)), "decision": "allow"}
    allowed = portals.to_each("POST", consent, data=form, cookies=session_cookie(browser))
    assert [answer.status_code for answer in allowed] == [302, 302]
    assert _count(OidcConsent, account_id=patron.login_account_id) == 1
    # The second use of the request's nonce may be refused as a replay: one code is enough.
    returned = [parse_qs(urlsplit(answer.headers["Location"]).query) for answer in allowed]
    code = next(query["code"][0] for query in returned if "code" in query)
    tokens = exchange(browser, code, (service["client_id"], service["client_secret"]))
    assert tokens.status_code == 200, tokens.get_data(as_text=True)
    key_sets = [requests.get(f"{url}/oidc/jwks", timeout=TIMEOUT).json() for url in portals.urls]
    assert key_sets[0] == key_sets[1] and len(key_sets[0]["keys"]) == 1
    id_token = jwt.decode(tokens.json["id_token"], KeySet.import_key_set(key_sets[1]))
    assert id_token.claims["aud"] == service["client_id"]
    bearer = {"Authorization": f"Bearer {tokens.json['access_token']}"}
    userinfo = portals.to_each("GET", "/oidc/userinfo", headers=bearer)
    assert [info.json()["sub"] for info in userinfo] == [id_token.claims["sub"]] * 2


def test_a_key_rotation_reaches_both_processes(portals: Portals) -> None:
    before = requests.get(f"{portals.urls[0]}/oidc/jwks", timeout=TIMEOUT).json()["keys"]
    rotated = portals.app.test_cli_runner().invoke(args=["oidc", "rotate-keys"])
    assert rotated.exit_code == 0, rotated.output
    key_sets = [requests.get(f"{url}/oidc/jwks", timeout=TIMEOUT).json() for url in portals.urls]
    assert key_sets[0] == key_sets[1]
    assert [key["kid"] for key in key_sets[0]["keys"]][1:] == [key["kid"] for key in before]


def login_form(portals: Portals) -> Callable[[str, str, str], requests.Response]:
    """Submits one browser's login form straight to the process at a URL."""
    browser = portals.browser()
    token = csrf_token(browser.get("/inloggen"))

    def attempt(url: str, login: str, password: str) -> requests.Response:
        return requests.post(
            f"{url}/inloggen",
            data={"csrf_token": token, "login": login, "password": password},
            cookies=session_cookie(browser),
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    return attempt


def _mails_to(address: str) -> Counter[str]:
    """How many mails of each kind the outbox holds for an address."""
    return Counter(db.session.scalars(select(OutboxMail.kind).filter_by(to_address=address)))


def _count(model: type, **where: object) -> int:
    """How many rows of `model` match."""
    query = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(query)
