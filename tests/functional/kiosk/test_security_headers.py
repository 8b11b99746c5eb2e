"""Every kiosk answer tells the browser: scripts and styles only from the kiosk's own files, no
framing, no referrer, no camera, microphone or location; and no kiosk template needs more."""

import re

import pytest
from flask import Flask

from shared.paths import TEMPLATES_DIR

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/", "/gastlener", "/nergens", "/static/js/kiosk.js"])
def test_every_answer_carries_the_security_headers(kiosk_app: Flask, path: str) -> None:
    with kiosk_app.test_client().get(path) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


@pytest.mark.parametrize(
    "template", sorted((TEMPLATES_DIR / "kiosk").rglob("*.html")), ids=lambda path: path.name
)
def test_no_kiosk_template_has_inline_script_or_style(template) -> None:  # noqa: ANN001
    source = template.read_text()
    assert not INLINE_SCRIPT.search(source), "move the script to static/js/"
    assert not HANDLER_ATTRIBUTE.search(source), "attach the handler in static/js/"
    assert not STYLE_ATTRIBUTE.search(source), "move the style to static/css/"
