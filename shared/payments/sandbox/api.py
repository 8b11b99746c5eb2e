"""The emulated Mollie v2 payments API under /v2."""

import functools
import json
import re
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, make_response, request

from shared.payments.sandbox import actions, payments
from shared.payments.sandbox.errors import HAL_JSON, ApiError, error_response, hal_response
from shared.payments.sandbox.idempotency import StoredResponse
from shared.payments.sandbox.store import current_store
from shared.payments.sandbox.validation import payment_fields

bp = Blueprint("sandbox_api", __name__, url_prefix="/v2")
TEST_KEY = re.compile(r"^Bearer test_\w+$")
AUTH_DOCS = "https://docs.mollie.com/overview/authentication"
LIST_DOCS = "https://docs.mollie.com/reference/v2/payments-api/list-payments"
DEFAULT_LIMIT, MAX_LIMIT = 50, 250


@bp.before_request
def require_test_key() -> None:
    """Only test API keys get in, as on Mollie's test mode."""
    if not TEST_KEY.match(request.headers.get("Authorization", "")):
        raise ApiError(401, "Missing authentication, or failed to authenticate", docs=AUTH_DOCS)


def public_base_url() -> str:
    """The sandbox's own URL, as the client reaches it, for absolute hrefs."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Honour the Idempotency-Key header: replay, refuse other parameters, refuse overlaps."""

    @functools.wraps(view)
    def wrapper(*args: object, **kwargs: object) -> Response:
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


def _respond(view: Callable[..., Response], *args: object, **kwargs: object) -> Response:
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


@bp.post("/payments")
@idempotent
def create_payment() -> Response:
    """Create an open payment."""
    payment = current_store().create(payment_fields(request.get_json(silent=True)))
    return hal_response(payments.render(payment, public_base_url(), "create-payment"), 201)


@bp.get("/payments/<payment_id>")
def get_payment(payment_id: str) -> Response:
    """One payment."""
    return hal_response(payments.render(current_store().get(payment_id), public_base_url()))


@bp.delete("/payments/<payment_id>")
@idempotent
def cancel_payment(payment_id: str) -> Response:
    """Cancel a payment while it is cancelable."""
    payment = actions.cancel(current_store(), payment_id)
    return hal_response(payments.render(payment, public_base_url(), "cancel-payment"))


@bp.get("/payments")
def list_payments() -> Response:
    """Payments newest first, a page at a time (`from` and `limit`)."""
    limit = _limit(request.args.get("limit"))
    page = current_store().page(request.args.get("from"), limit)
    base = public_base_url()
    return hal_response(
        {
            "count": len(page.payments),
            "_embedded": {"payments": [payments.render(p, base) for p in page.payments]},
            "_links": {
                "self": _list_link(base, request.args.get("from"), limit),
                "previous": _neighbour_link(base, page.previous_from, limit),
                "next": _neighbour_link(base, page.next_from, limit),
                "documentation": {"href": LIST_DOCS, "type": "text/html"},
            },
        }
    )


def _limit(raw: str | None) -> int:
    """The page size: 50 unless asked, between 1 and 250."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"The limit must be a number from 1 to {MAX_LIMIT}.", field="limit")
    return int(raw)


def _list_link(base: str, from_id: str | None, limit: int) -> dict[str, str]:
    """A link to the page of `limit` payments starting at `from_id` (or at the newest)."""
    query = {"from": from_id, "limit": limit} if from_id else {"limit": limit}
    return {"href": f"{base}/v2/payments?{urlencode(query)}", "type": HAL_JSON}


def _neighbour_link(base: str, from_id: str | None, limit: int) -> dict[str, str] | None:
    """The link to a neighbouring page, or None when there is none."""
    return _list_link(base, from_id, limit) if from_id else None
