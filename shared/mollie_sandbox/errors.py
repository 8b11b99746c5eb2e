"""Errors in Mollie's shape: the client needs both `status` and `detail` in every error body."""

from typing import Any

from flask import Response, jsonify
from werkzeug.http import HTTP_STATUS_CODES

HAL_JSON = "application/hal+json"
ERROR_DOCS = "https://docs.mollie.com/overview/handling-errors"
TITLES = {401: "Unauthorized Request"}


class ApiError(Exception):
    """A refusal that the API answers with Mollie's error body."""

    def __init__(
        self, status: int, detail: str, *, field: str | None = None, docs: str = ERROR_DOCS
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.docs = docs

    def body(self) -> dict[str, Any]:
        """The JSON body Mollie sends for this error."""
        body: dict[str, Any] = {
            "status": self.status,
            "title": TITLES.get(self.status, HTTP_STATUS_CODES.get(self.status, "Error")),
            "detail": self.detail,
        }
        if self.field:
            body["field"] = self.field
        body["_links"] = {"documentation": {"href": self.docs, "type": "text/html"}}
        return body


def hal_response(data: Any, status: int = 200) -> Response:
    """A JSON response with Mollie's media type."""
    response = jsonify(data)
    response.status_code = status
    response.mimetype = HAL_JSON
    return response


def error_response(error: ApiError) -> Response:
    """The response for an API error."""
    return hal_response(error.body(), error.status)
