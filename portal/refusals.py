"""Refusals shown: in the patron's language on pages, in English on the command line."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask_babel import format_currency, format_time, gettext

from shared.errors import DomainError
from shared.refusals import ENGLISH, Presenter, describe

PRESENTER = Presenter(
    translate=gettext,
    moment=lambda moment: format_time(moment, "short"),
    amount=lambda amount: format_currency(amount, "EUR"),
)


def refusal_message(error: DomainError) -> str:
    """What to tell the patron about a refusal."""
    return describe(error.code, error.params, PRESENTER)


@contextmanager
def refusals_reported() -> Iterator[None]:
    """A rule's refusal becomes a command-line error naming the rule and saying why."""
    try:
        yield
    except DomainError as error:
        message = describe(error.code, error.params, ENGLISH)
        raise click.ClickException(f"refused: {error.code}: {message}") from error
