"""Security headers on every answer of the portal."""

from flask import current_app, request
from werkzeug.wrappers import Response

from portal.config import PRODUCTION

# Scripts and styles only from files of our own (no inline script, no style attribute), no
# plugins, no <base>, never inside another site's frame. There is no form-action: a form's answer
# may go on to another site (the payment provider's checkout, a single sign-on service).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# The development mail pages show a mail's HTML (inline styles, images as data: URIs) in a
# sandboxed frame, which inherits this page's policy.
MAIL_PREVIEW_POLICY = (
    CONTENT_SECURITY_POLICY + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
# Pages whose address holds a secret (a reset, confirmation or payment link): no Referer at all.
SECRET_ARGUMENTS = {"token", "secret"}


def add_security_headers(response: Response) -> Response:
    """The portal's policies; a page whose address holds a secret sends no Referer; no page is
    kept by the browser."""
    headers = response.headers
    preview = (request.endpoint or "").startswith("dev.")
    headers["Content-Security-Policy"] = MAIL_PREVIEW_POLICY if preview else CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    secret = SECRET_ARGUMENTS & set(request.view_args or ())
    headers["Referrer-Policy"] = "no-referrer" if secret else "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Pages hold personal data, a form's token or a secret to set up: nothing of them stays
        # on a shared computer (the library's own, a desk PC) for the back button or the next user.
        headers["Cache-Control"] = "no-store"
    if current_app.config["OPENBALIE_ENV"] == PRODUCTION:
        headers["Strict-Transport-Security"] = HSTS
    return response
