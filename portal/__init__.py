"""The patron web portal: signup, payments, confirmation links; create_app() builds it."""

from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import errors, visitor_pages
from portal.account.own_password import own_password_first
from portal.config import load_config
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.headers import add_security_headers
from portal.i18n import select_locale
from portal.nul_guard import refuse_nul
from portal.sessions import SignedCookieSessions
from shared.catalogue.costs import CostKind
from shared.catalogue.offer import OfferCache
from shared.clock import SYSTEM_CLOCK, Clock
from shared.models.card import CardRole, CardStatus
from shared.models.patron import PaymentPlan, SubscriptionStatus
from shared.models.payment import PaymentStatus
from shared.paths import PROJECT_ROOT, STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR

MIGRATIONS_DIR = PROJECT_ROOT / "shared" / "migrations"
# Templates compare statuses with these, never with bare strings.
TEMPLATE_ENUMS = {
    enum.__name__: enum
    for enum in (CardRole, CardStatus, CostKind, PaymentPlan, PaymentStatus, SubscriptionStatus)
}


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process for every portal app it builds (a test run builds
    thousands, each compiling the pages it shows); Jinja uses a compiled template only for the
    source it was compiled from."""

    def __init__(self) -> None:
        """No template compiled yet."""
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """The compiled template, if this process compiled it before."""
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a template just compiled."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(config: dict[str, Any] | None = None, clock: Clock = SYSTEM_CLOCK) -> Flask:
    """Build the portal application, telling the time by `clock`."""
    instance = Path((config or {}).get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
    )
    app.config.update(load_config(instance, config))
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.session_interface = SignedCookieSessions()
    app.extensions["clock"] = clock
    app.extensions["offer_cache"] = OfferCache(clock.monotonic)
    _trust_proxies(app, int(app.config["TRUSTED_PROXIES"]))
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    app.context_processor(_template_globals)
    app.jinja_env.globals.update(TEMPLATE_ENUMS)
    app.before_request(refuse_nul)
    app.before_request(own_password_first)
    app.after_request(add_security_headers)
    errors.register(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind a TLS proxy: take client address and scheme from its X-Forwarded headers
    (rate limits count per real address, and cookies marked Secure are sent)."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF and translations to the app."""
    import shared.models  # noqa: F401  (registers every model for migrations)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    visitor_pages.init_app(app)
    login_manager.login_view = "login.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_account)
    app.teardown_request(_end_session)


def _load_account(account_id: str) -> object:
    """The logged-in login account, if it still exists and may log in."""
    from portal.auth_session import still_valid
    from shared.models.account import LoginAccount

    account = db.session.get(LoginAccount, int(account_id)) if account_id.isdigit() else None
    if account is None or not account.is_active or not still_valid(account):
        return None
    return account


def _end_session(_error: BaseException | None) -> None:
    """End the request's database session, also where an app context outlives it (tests)."""
    db.session.remove()


def _register_blueprints(app: Flask) -> None:
    """Attach every feature blueprint."""
    from portal import dev, i18n, main, oidc, payments, signup, staff
    from portal.account import change, confirm, login, overview

    del change  # imported for its views, which join Mijn account's blueprint
    from portal.api import kiosk

    modules = (main, i18n, signup.views, payments, confirm, login, overview, oidc.views)
    for module in (*modules, staff):
        app.register_blueprint(module.bp)
    kiosk.register(app)
    if app.config["MAIL_DIR"]:
        app.register_blueprint(dev.bp)


def _register_cli(app: Flask) -> None:
    """Attach the `flask` commands."""
    from portal import cli

    cli.register(app)


def _template_globals() -> dict[str, Any]:
    """Locale and formatting helpers every template uses."""
    from flask_babel import format_date, format_datetime, get_locale

    from portal.auth_session import logged_in_name
    from portal.i18n import currency_formatter, current_language, format_end, template_gettext

    locale = get_locale()
    gettext = template_gettext()
    return {
        "_": gettext,
        "gettext": gettext,
        "current_locale": current_language(),
        "country_name": lambda code: locale.territories.get(code, code) if locale else code,
        "format_currency": currency_formatter(locale),
        "format_date": format_date,
        "format_end": format_end,
        "format_datetime": format_datetime,
        "logged_in_name": logged_in_name,
    }
