"""HAL links as Mollie writes them; API hrefs are always under `<base>/v2`."""

from shared.mollie_sandbox.errors import HAL_JSON


def api(href: str) -> dict[str, str]:
    """A link to an API resource."""
    return {"href": href, "type": HAL_JSON}


def html(href: str) -> dict[str, str]:
    """A link to a web page (checkout, dashboard, documentation)."""
    return {"href": href, "type": "text/html"}


def payment_url(base_url: str, payment_id: str) -> str:
    """The API URL of a payment."""
    return f"{base_url}/v2/payments/{payment_id}"


def customer_url(base_url: str, customer_id: str) -> str:
    """The API URL of a customer; the client reads the customer id from its end."""
    return f"{base_url}/v2/customers/{customer_id}"


def mandate_url(base_url: str, customer_id: str, mandate_id: str) -> str:
    """The API URL of a customer's mandate."""
    return f"{customer_url(base_url, customer_id)}/mandates/{mandate_id}"


def subscription_url(base_url: str, customer_id: str, subscription_id: str) -> str:
    """The API URL of a customer's subscription."""
    return f"{customer_url(base_url, customer_id)}/subscriptions/{subscription_id}"
