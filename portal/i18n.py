"""The patron's language: an explicit choice kept in its own cookie (it outlives the session,
so logging out keeps it), the account's language from the moment of logging in, else Dutch."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, numbers
from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_babel import format_date, get_translations, refresh
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.wrappers import Response

from shared.redirects import safe_path
from shared.timeutil import NO_END, format_locale

LANGUAGES = ("nl", "en")
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The language button of a page with a form sends the form here with this field: the page
# comes back in the other language with what was typed, and nothing is saved.
SWITCH_FIELD = "switch_language"
bp = Blueprint("i18n", __name__)


def current_language() -> str:
    """The language of this request: chosen in it, else the cookie's, else Dutch."""
    chosen = g.get("language") or request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "nl"


def select_locale() -> str:
    """Flask-Babel's locale selector: the language, with its way of writing dates (en_GB)."""
    return format_locale(current_language())


def template_gettext() -> Callable[..., str]:
    """The templates' `_` and `gettext`, bound to this request's translations when a page is
    rendered: Flask-Babel's own look the translations up in the request context at every call,
    which made a third of rendering a page. It does what Jinja's newstyle gettext does."""
    translations = get_translations()

    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        """The string in the request's language, its %(name)s placeholders filled (escaped)."""
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return gettext


def currency_formatter(locale: Locale) -> Callable[[Decimal | int, str], str]:
    """The templates' format_currency in this locale: Flask-Babel's, remembered per amount, as
    pages show the same few prices again and again."""
    return lambda number, currency: _currency_text(str(number), currency, locale)


@lru_cache(maxsize=1024)
def _currency_text(amount: str, currency: str, locale: Locale) -> str:
    """An amount (as its exact text: -0 is not 0) written in a locale."""
    return numbers.format_currency(Decimal(amount), currency, locale=locale)


def format_end(day: date, date_format: str = "long") -> str:
    """A subscription's last day as written, or "no end date" for one without (*vast*)."""
    return _("no end date") if day == NO_END else format_date(day, date_format)


def use_language(language: str) -> None:
    """Show this request in the language from now on, and remember it in the cookie."""
    if language in LANGUAGES:
        g.language = language
        refresh()


def switching_language() -> bool:
    """Whether this request is a form sent by the language button, not by its submit button."""
    # Only a page's form is read this early: a body sent to the kiosk API is read after its own
    # size limit is set, never before.
    form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    page = form and not request.path.startswith("/api/")
    return request.method == "POST" and page and SWITCH_FIELD in request.form


@bp.before_app_request
def _switch_language() -> None:
    """A form sent by the language button: its page is shown in the chosen language."""
    if switching_language():
        use_language(request.form[SWITCH_FIELD])


@bp.after_app_request
def _remember_language(response: Response) -> Response:
    """Keep a language chosen in this request in its cookie."""
    if "language" in g:
        response.set_cookie(
            COOKIE,
            g.language,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.post("/taal")
def choose_language() -> Response:
    """Remember the chosen language and go back to the page the patron was on."""
    use_language(request.form.get("lang", "nl"))
    return redirect(safe_path(request.form.get("next")) or url_for("main.home"), code=303)
