"""A refusal from the portal in the patron's language: the register's message, filled in."""

from collections.abc import Mapping

from flask_babel import format_currency, format_time, gettext

from shared.refusals import Presenter, describe

PRESENTER = Presenter(
    translate=gettext,
    moment=lambda moment: format_time(moment, "short"),
    amount=lambda amount: format_currency(amount, "EUR"),
)


def refusal_message(code: str, details: Mapping[str, str] | None = None) -> str:
    """What to tell the patron about a refusal the portal answered with."""
    return describe(code, details or {}, PRESENTER)


def refusal_in_query(args: Mapping[str, str], key: str) -> str | None:
    """The message of a refusal handed on in a page's query: `key` names the code, the other
    arguments are its details (None when there is none)."""
    code = args.get(key)
    details = {name: value for name, value in args.items() if name != key}
    return refusal_message(code, details) if code else None
