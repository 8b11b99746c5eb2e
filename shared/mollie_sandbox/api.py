"""What every endpoint of the emulated Mollie v2 API shares: the key check, URLs, replays, lists."""

import functools
import json
from collections.abc import Callable
from typing import Any, ParamSpec

from flask import Blueprint, Response, current_app, make_response, request
from flask.typing import ResponseReturnValue

from shared.mollie_sandbox import faults, listing
from shared.mollie_sandbox.errors import ApiError, error_response, hal_response
from shared.mollie_sandbox.idempotency import StoredResponse
from shared.mollie_sandbox.state import Record
from shared.mollie_sandbox.store import current_store

API_PREFIX = "/v2/"
AUTH_DOCS = "https://docs.mollie.com/guides/authentication"  # as in Mollie's own 401 body
Render = Callable[..., dict[str, Any]]  # (state, record, base_url[, docs]) -> the JSON body
P = ParamSpec("P")


def api_blueprint(name: str) -> Blueprint:
    """A blueprint for endpoints under /v2."""
    return Blueprint(name, __name__, url_prefix=API_PREFIX.rstrip("/"))


def guard() -> Response | None:
    """Before any /v2 request: an injected fault if one waits, then the key check (only the keys
    the sandbox was given)."""
    if not request.path.startswith(API_PREFIX):
        return None
    fault = current_store().faults.take()
    failure = faults.fail(fault) if fault else None
    if failure is not None:
        return failure
    bearer = request.headers.get("Authorization", "")
    if bearer not in {f"Bearer {key}" for key in current_app.config["API_KEYS"]}:
        raise ApiError(401, "Missing authentication, or failed to authenticate", docs=AUTH_DOCS)
    return None


def public_base_url() -> str:
    """The sandbox's own URL, as the client reaches it, for absolute hrefs."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def idempotent(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Honour the Idempotency-Key header: replay, refuse other parameters, refuse overlaps."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if not request.headers.get("Idempotency-Key"):
            return view(*args, **kwargs)
        cache, key = current_store().idempotency, _idempotency_scope()
        replay = cache.begin(key, _fingerprint())
        if replay is not None:
            return _replayed(replay)
        try:
            response = _respond(view, *args, **kwargs)
        except BaseException:
            cache.abandon(key)
            raise
        stored = StoredResponse(response.status_code, response.get_data(), response.mimetype)
        cache.finish(key, stored)
        return response

    return wrapper


def _idempotency_scope() -> str:
    """The key within the caller's API key, as Mollie keeps keys per account."""
    return f"{request.headers['Authorization']}:{request.headers['Idempotency-Key']}"


def _fingerprint() -> str:
    """What makes two requests 'the same parameters': method, path and the JSON body."""
    raw = request.get_data(as_text=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True) if raw else ""
    except ValueError:
        body = raw
    return f"{request.method} {request.full_path} {body}"


def _respond(view: Callable[P, ResponseReturnValue], *args: P.args, **kwargs: P.kwargs) -> Response:
    """The view's response, with API errors turned into responses so they are kept too."""
    try:
        return make_response(view(*args, **kwargs))
    except ApiError as error:
        return error_response(error)


def _replayed(stored: StoredResponse) -> Response:
    """A kept response, marked as a replay."""
    response = Response(stored.body, status=stored.status, mimetype=stored.mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def rendered(render: Render, record: Record, docs: str, status: int = 200) -> Response:
    """One record as the API returns it."""
    return hal_response(current_store().read(render, record, public_base_url(), docs), status)


def listed(name: str, records: list[Record], render: Render, docs_url: str) -> Response:
    """A page of the ordered `records` as Mollie lists them, with `from` and `limit` links."""
    page = listing.page(records, request.args.get("from"), listing.limit(request.args.get("limit")))
    base = public_base_url()
    items = current_store().read(lambda state: [render(state, r, base) for r in page.records])
    return hal_response(listing.body(name, items, page, base + request.path, docs_url))
