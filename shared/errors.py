"""Domain errors: each carries a code that the apps turn into a message in the patron's language."""

from typing import Any


class DomainError(Exception):
    """A rule refused an action; `code` names the rule, `params` fill in the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
